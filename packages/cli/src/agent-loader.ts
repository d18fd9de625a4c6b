import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseEnv } from 'node:util';
import type { Agent, AgentOptions } from '@entity/core';
import type { CliContext } from './cli-context.js';
import { UsageError } from './exit-codes.js';

export const CONFIG_FILE_NAMES = ['agent.yaml', 'agent.yml', 'agent.json', 'entity.yaml', 'entity.yml'];

export function findConfigFile(directory: string): string | undefined {
  return CONFIG_FILE_NAMES.map((name) => join(directory, name)).find((path) => existsSync(path));
}

/**
 * Configs written as code: a module whose default export (or `config` export) is the same object
 * agent.yaml holds, or a function returning it. Node 24 strips the types of a .ts file itself.
 */
export const CONFIG_MODULE_NAMES = ['agent.config.ts', 'agent.config.mts', 'agent.config.js', 'agent.config.mjs'];

export const isConfigModule = (path: string): boolean => CONFIG_MODULE_NAMES.includes(basename(path));

export function findConfigModule(directory: string): string | undefined {
  return CONFIG_MODULE_NAMES.map((name) => join(directory, name)).find((path) => existsSync(path));
}

/** The config object a config module exports (see {@link CONFIG_MODULE_NAMES}). */
export async function loadConfigModule(path: string): Promise<Record<string, unknown>> {
  const module = (await import(pathToFileURL(path).href)) as { default?: unknown; config?: unknown };
  const exported = module.default ?? module.config;
  const value = typeof exported === 'function' ? await (exported as () => unknown)() : exported;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isAgent(value)) {
    throw new UsageError(`${path} does not export a config object`, 'export default { resources: { … }, plugins: [ … ] } — the same keys as agent.yaml (docs/configuration.md)');
  }
  return value as Record<string, unknown>;
}

const CONFIG_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const MODULE_EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

/** Where an agent comes from: a config file, a directory (its agent.yaml plus plugins/ and tools/), or a module exporting one. */
export interface AgentSource {
  kind: 'config' | 'directory' | 'module';
  path: string;
}

/** Resolves the `[config]` argument: a file, a directory, or (when omitted) the current directory. */
export function resolveAgentSource(argument: string | undefined, cli: CliContext): AgentSource {
  const path = resolve(cli.cwd, argument ?? '.');
  if (!existsSync(path)) {
    throw new UsageError(`config not found: ${argument}`, 'pass a config file (agent.yaml), a project directory, or a module that exports an agent; `entity init` creates one');
  }
  if (statSync(path).isDirectory()) return { kind: 'directory', path };
  const extension = extname(path).toLowerCase();
  if (CONFIG_EXTENSIONS.has(extension)) return { kind: 'config', path };
  if (MODULE_EXTENSIONS.has(extension)) return { kind: 'module', path };
  throw new UsageError(`cannot load an agent from ${argument}`, 'use a .yaml/.yml/.json config, a directory, or a .ts/.js module exporting an agent');
}

/**
 * Puts the variables of the `.env` beside a config that the environment lacks into the
 * environment. `${VAR}` placeholders already read that file, but the providers take their
 * defaults (OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, OLLAMA_HOST) from the environment
 * itself, and a project `entity init` made keeps its key in `.env` without a placeholder. The
 * environment wins, as it does for placeholders.
 */
export function applyProjectEnv(directory: string, environment: NodeJS.ProcessEnv = process.env): void {
  const file = join(directory, '.env');
  if (!existsSync(file)) return;
  for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8')))) {
    if (environment[name] === undefined) environment[name] = value;
  }
}

/** The folder of an agent source: where its `.env` and relative paths are. */
export const sourceDirectory = (source: AgentSource): string => (source.kind === 'directory' ? source.path : dirname(source.path));

type AgentExport = Agent | AgentOptions | (() => Agent | AgentOptions | Promise<Agent | AgentOptions>);

/** Builds the agent the command works on. Core loads here, never at CLI start. */
export async function loadAgent(source: AgentSource): Promise<Agent> {
  applyProjectEnv(sourceDirectory(source));
  const { Agent } = await import('@entity/core');
  if (source.kind === 'config') return Agent.fromConfig(source.path);
  if (source.kind === 'directory') {
    // With a config file, its plugin list is the agent (core's fromDirectory would also add every
    // module of plugins/ and tools/, registering the listed ones twice); without one, discover them.
    const config = findConfigFile(source.path);
    return config ? Agent.fromConfig(config) : Agent.fromDirectory(source.path);
  }
  if (isConfigModule(source.path)) return Agent.fromConfig(await loadConfigModule(source.path), { baseDir: dirname(source.path) });
  const module = (await import(pathToFileURL(source.path).href)) as { default?: AgentExport; agent?: AgentExport };
  const exported = module.default ?? module.agent;
  if (exported === undefined) {
    throw new UsageError(`${source.path} exports no agent`, 'export default an Agent (or its options), or export const agent = new Agent(...)');
  }
  const value = typeof exported === 'function' ? await exported() : exported;
  // Duck-typed: the module may have been built against another copy of core.
  return isAgent(value) ? value : new Agent(value as AgentOptions);
}

function isAgent(value: unknown): value is Agent {
  return typeof value === 'object' && value !== null && typeof (value as Agent).stream === 'function' && typeof (value as Agent).describe === 'function';
}

/** The config a command reads about a project: its file (when there is one) and the folder its relative paths start from. */
export interface ProjectConfig {
  /** agent.yaml (or .yml/.json, entity.yaml, agent.config.ts …); undefined when the folder has none. */
  path: string | undefined;
  /** The config's folder (or the folder given, or the current one): relative paths resolve from here, as `entity run` does. */
  directory: string;
}

/**
 * Resolves the `[config]` argument of the commands that read what an agent left behind (`logs`,
 * `metrics`): a config file, a project folder, or (when omitted) the current folder, so that
 * `entity logs sub/agent.yaml` from anywhere reads the files `entity run sub/agent.yaml` wrote.
 */
export function locateProjectConfig(argument: string | undefined, cli: CliContext): ProjectConfig {
  const source = resolveAgentSource(argument, cli);
  if (source.kind === 'directory') return { path: findConfigFile(source.path) ?? findConfigModule(source.path), directory: source.path };
  if (source.kind === 'module' && !isConfigModule(source.path)) {
    throw new UsageError(`${argument} is an agent module, not a config`, `pass the project's agent.yaml (or its folder); a module's log file and memory are known only to its code`);
  }
  return { path: source.path, directory: dirname(source.path) };
}

/** The config's document with `${VAR}` interpolated (a config module's exported object as is). */
export async function readProjectConfig(path: string): Promise<Record<string, unknown>> {
  if (isConfigModule(path)) return loadConfigModule(path);
  const { readConfigDocument } = await import('@entity/core/internal');
  return (await readConfigDocument(path)).document;
}
