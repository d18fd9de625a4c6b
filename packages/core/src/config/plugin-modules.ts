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

/** Plugins a module offers: its default export, a named one, or every plugin and tool it exports. */
export function pluginsOfModule(module: Record<string, unknown>, exportName: string | undefined, where: string): Plugin[] {
  const pick = (value: unknown): Plugin[] => {
    if (Array.isArray(value)) return value.flatMap(pick);
    if (isPlugin(value)) return [value];
    if (isTool(value)) return [toolPlugin(value)];
    return [];
  };
  if (exportName !== undefined) {
    if (!(exportName in module)) {
      throw new ConfigError([{ path: where, message: `the module has no export "${exportName}"`, fix: `export it, or use one of: ${Object.keys(module).join(', ')}` }]);
    }
    const plugins = pick(module[exportName]);
    if (plugins.length === 0) throw new ConfigError([{ path: where, message: `export "${exportName}" is not a plugin or tool`, fix: 'export a definePlugin() or defineTool() result' }]);
    return plugins;
  }
  const fromDefault = pick(module.default);
  if (fromDefault.length > 0) return fromDefault;
  const all = Object.entries(module).filter(([name]) => name !== 'default').flatMap(([, value]) => pick(value));
  if (all.length === 0) {
    throw new ConfigError([{ path: where, message: 'the module exports no plugin or tool', fix: 'export definePlugin() / defineTool() results' }]);
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
