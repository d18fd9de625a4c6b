import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type CompiledConfig, type CompileOptions, compileConfig } from '../config/compile-config.js';
import { pluginsOfModule } from '../config/plugin-modules.js';
import { checkPluginSpecifier, isPluginModuleTarget } from '../config/plugin-specifier.js';
import { ConfigError, type ConfigIssue } from '../errors/index.js';
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

/**
 * Plugins and tools found in `plugins/` and `tools/` of a directory (each module's plugin and tool
 * exports). Every file is held to the rule for `use:` paths first — its real path (after symbolic
 * links) must stay inside `directory` — and nothing is imported unless all of them pass, so a link
 * dropped into `plugins/` cannot make the agent run code from elsewhere.
 */
export async function discoverDirectoryPlugins(directory: string) {
  const files: { file: string; where: string }[] = [];
  const issues: ConfigIssue[] = [];
  for (const folder of ['plugins', 'tools']) {
    const path = join(directory, folder);
    if (!existsSync(path)) continue;
    for (const name of readdirSync(path).sort()) {
      if (!MODULE_EXTENSIONS.test(name) || TEST_FILES.test(name) || name.endsWith('.d.ts')) continue;
      const where = `${folder}/${name}`;
      const target = checkPluginSpecifier(`./${where}`, directory);
      if (!isPluginModuleTarget(target)) issues.push({ path: where, ...target });
      else if (target.kind === 'file') files.push({ file: target.file, where });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  const found = [];
  for (const { file, where } of files) {
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    found.push(...(await pluginsOfModule(module, undefined, where)));
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


