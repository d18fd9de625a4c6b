import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CompiledConfig, type CompileOptions, compileConfig } from '../config/compile-config.js';
import { pluginsOfModule } from '../config/plugin-modules.js';
import { ConfigError } from '../errors/index.js';
import { Agent, type AgentOptions } from './agent.js';
import { importFromProject } from './project-import.js';

export const CONFIG_FILE_NAMES = ['agent.yaml', 'agent.yml', 'agent.json', 'entity.yaml', 'entity.yml'] as const;

/** Compiles a config and throws one ConfigError listing every problem when it is invalid. */
export async function compileOrThrow(source: string | object, options: CompileOptions): Promise<CompiledConfig & { agentOptions: AgentOptions }> {
  const compiled = await compileConfig(source, options);
  if (!compiled.report.ok || !compiled.agentOptions) throw new ConfigError(compiled.report.issues);
  return compiled as CompiledConfig & { agentOptions: AgentOptions };
}

/** Finds the agent config file in a directory, if there is one. */
export function findConfigFile(directory: string): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => join(directory, name)).find((path) => existsSync(path));
}

const MODULE_EXTENSIONS = /\.(ts|mts|js|mjs)$/;
const TEST_FILES = /\.(test|spec)\.[cm]?[jt]s$/;

/** Plugins and tools found in `plugins/` and `tools/` of a directory (each module's plugin and tool exports). */
export async function discoverDirectoryPlugins(directory: string) {
  const found = [];
  for (const folder of ['plugins', 'tools']) {
    const path = join(directory, folder);
    if (!existsSync(path)) continue;
    for (const file of readdirSync(path).sort()) {
      if (!MODULE_EXTENSIONS.test(file) || TEST_FILES.test(file) || file.endsWith('.d.ts')) continue;
      const module = (await import(pathToFileURL(join(path, file)).href)) as Record<string, unknown>;
      found.push(...pluginsOfModule(module, undefined, `${folder}/${file}`));
    }
  }
  return found;
}

/** What a package exporting an agent may export: the agent, its options, or a function making either. */
type AgentExport = Agent | AgentOptions | (() => Agent | AgentOptions | Promise<Agent | AgentOptions>);

export async function agentFromPackage(name: string, projectDir = process.cwd()): Promise<Agent> {
  const module = await importFromProject<{ default?: AgentExport; agent?: AgentExport }>(name, `Agent.fromPackage("${name}")`, projectDir);
  const exported = module.default ?? module.agent;
  if (exported !== undefined) {
    const value = typeof exported === 'function' ? await exported() : exported;
    return value instanceof Agent ? value : new Agent(value);
  }
  const manifest = join(projectDir, 'node_modules', name, 'package.json');
  const directory = existsSync(manifest) ? dirname(manifest) : undefined;
  if (directory && findConfigFile(directory)) return Agent.fromDirectory(directory);
  throw new ConfigError([{ path: name, message: `package "${name}" exports no agent`, fix: 'export default an Agent, its options, or ship an agent.yaml' }]);
}


