import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Plugin } from '../contracts/plugin.js';
import type { Tool } from '../contracts/tool.js';
import { ConfigError } from '../errors/index.js';
import { toolPlugin } from '../engine/layer-zero.js';
import { importFromProject } from '../engine/project-import.js';
import type { PluginModuleTarget } from './plugin-specifier.js';

const isPlugin = (value: unknown): value is Plugin =>
  typeof value === 'object' && value !== null && typeof (value as Plugin).name === 'string' && typeof (value as Plugin).kind === 'string';

const isTool = (value: unknown): value is Tool =>
  typeof value === 'object' && value !== null && typeof (value as Tool).execute === 'function' && 'input' in value && typeof (value as Tool).name === 'string';

/**
 * This agent's own copy of a plugin object a module exports. Node caches a module, so every agent
 * built from the same config would otherwise get the same object, and a plugin with `init` or
 * `shutdown` serves one running agent at a time (`PLUGIN_IN_USE`). The copy keeps the prototype
 * and every own property (getters included); `this` in its methods is the copy. State the module
 * keeps in its own variables is still shared: export a factory to give each agent its own.
 */
function ownCopy(plugin: Plugin): Plugin {
  return Object.create(Object.getPrototypeOf(plugin), Object.getOwnPropertyDescriptors(plugin)) as Plugin;
}

/**
 * The plugins of one export: a plugin, a tool, an array of them — or, for the default export and
 * an export named in the config, a factory (a function taking no arguments) returning any of
 * those, called here, once per agent built. Other exported functions are never called: they may
 * be helpers.
 */
async function pluginsOfExport(value: unknown, exportName: string, where: string, callFactory: boolean): Promise<Plugin[]> {
  const pick = (item: unknown): Plugin[] => {
    if (Array.isArray(item)) return item.flatMap(pick);
    if (isPlugin(item)) return [ownCopy(item)];
    if (isTool(item)) return [toolPlugin(item)];
    return [];
  };
  // A function taking arguments is not a factory (a Layer-0 function plugin takes ctx): not called.
  if (typeof value !== 'function' || !callFactory || value.length > 0) return pick(value);
  const made: unknown = await (value as () => unknown)();
  const plugins = pick(made);
  if (plugins.length === 0) {
    const got = made === null ? 'null' : Array.isArray(made) ? 'an empty array or no plugins' : typeof made;
    throw new ConfigError([
      { path: where, message: `export "${exportName}" is a function, called as a plugin factory, and returned ${got}`, fix: 'return a definePlugin() or defineTool() result (or an array of them) from it' },
    ]);
  }
  return plugins;
}

/**
 * Plugins a module offers: its default export, a named one, or every plugin and tool it exports.
 * Each call returns new plugin objects (copies, or what a factory export made), so two agents
 * built from the same config never share one.
 */
export async function pluginsOfModule(module: Record<string, unknown>, exportName: string | undefined, where: string): Promise<Plugin[]> {
  if (exportName !== undefined) {
    if (!(exportName in module)) {
      throw new ConfigError([{ path: where, message: `the module has no export "${exportName}"`, fix: `export it, or use one of: ${Object.keys(module).join(', ')}` }]);
    }
    const plugins = await pluginsOfExport(module[exportName], exportName, where, true);
    if (plugins.length === 0) {
      throw new ConfigError([{ path: where, message: `export "${exportName}" is not a plugin or tool`, fix: 'export a definePlugin() or defineTool() result, or a function returning one' }]);
    }
    return plugins;
  }
  const fromDefault = await pluginsOfExport(module.default, 'default', where, true);
  if (fromDefault.length > 0) return fromDefault;
  const all: Plugin[] = [];
  for (const [name, value] of Object.entries(module)) {
    if (name !== 'default') all.push(...(await pluginsOfExport(value, name, where, false)));
  }
  if (all.length === 0) {
    throw new ConfigError([
      { path: where, message: 'the module exports no plugin or tool', fix: 'export definePlugin() / defineTool() results, or a default function returning them' },
    ]);
  }
  return all;
}

/** Imports a plugin module that {@link checkPluginSpecifier} allowed: a file inside the config's folder, or a package. */
export async function importPluginModule(target: PluginModuleTarget, specifier: string, baseDir: string, where: string): Promise<Record<string, unknown>> {
  if (target.kind === 'file') {
    if (!existsSync(target.file)) {
      throw new ConfigError([{ path: where, message: `plugin module "${specifier}" not found at ${target.file}`, fix: 'check the path; it is relative to the config file' }]);
    }
    return (await import(pathToFileURL(target.file).href)) as Record<string, unknown>;
  }
  return importFromProject<Record<string, unknown>>(specifier, `Plugin "${specifier}"`, baseDir);
}
