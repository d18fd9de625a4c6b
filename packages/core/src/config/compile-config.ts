import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { type Document, parseDocument } from 'yaml';
import type { Plugin } from '../contracts/plugin.js';
import type { Resource, ResourceType } from '../contracts/resource.js';
import { ConfigError, type ConfigIssue, EntityError, ResourceError } from '../errors/index.js';
import type { AgentOptions } from '../engine/agent.js';
import { inMemoryLogger } from '../builtins/in-memory-logger.js';
import { PluginRegistry, type PluginInput } from '../engine/plugin-registry.js';
import { ResourceContainer } from '../engine/resource-container.js';
import { Workflow } from '../engine/workflow.js';
import { configIssuesFrom } from './config-issues.js';
import { type AgentConfig, configSchemas, usableParts } from './config-schema.js';
import { interpolateDocument, interpolateEnvironment, loadEnvironment } from './env-interpolation.js';
import { importPluginModule, pluginsOfModule } from './plugin-modules.js';
import { checkPluginSpecifier, isPluginModuleTarget, type PluginModuleTarget } from './plugin-specifier.js';
import { findResourceType } from './resource-types.js';
import { redactIssues, redactSecrets } from '../redaction/secret-redactor.js';

export type ValidationPhase = 'structure' | 'graph' | 'runtime';

export interface ValidationIssue extends ConfigIssue {
  phase: ValidationPhase;
}

export interface ValidationReport {
  ok: boolean;
  issues: ValidationIssue[];
  /** Things that work but deserve a look (e.g. a plugin running outside its kind's default stage). */
  warnings: string[];
  /** Milliseconds each phase took. */
  timings: Partial<Record<ValidationPhase, number>>;
}

export interface CompileOptions {
  /** Phase 3: start the resources and run their health checks (connectivity). Default: false. */
  runtime?: boolean;
  /** Resource types to use besides those of the installed `@entity/*` packages. */
  resourceTypes?: readonly ResourceType<any, any>[];
  /** Environment for `${VAR}`, over the `.env` file next to the config. Default: process.env. */
  environment?: NodeJS.ProcessEnv;
  /** Directory that relative plugin paths and `.env` are resolved from, for object configs. Default: cwd. */
  baseDir?: string;
  /**
   * For drawing the agent (`entity graph`), not running it: a resource that cannot be created (a
   * missing API key) becomes an empty placeholder, and resource problems (that one, a dependency
   * cycle) are warnings, so a config can be drawn before its keys exist. Default: false.
   */
  drawOnly?: boolean;
}

export interface CompiledConfig {
  report: ValidationReport;
  document: AgentConfig | undefined;
  /** Validated config block per resource name (without `type`). */
  resourceConfigs: Map<string, { type: string; config: unknown }>;
  /** Plugin names each `plugins` entry produced, in order. */
  pluginNames: string[][];
  /** Ready for `new Agent(...)` when the report is ok. */
  agentOptions: AgentOptions | undefined;
}

/** A plugin's config with its paths resolved from the config's folder; refusals point into the entry. */
function resolvedConfig(plugin: Plugin, config: unknown, baseDir: string, where: string): unknown {
  try {
    return plugin.resolveConfigPaths!(config, baseDir);
  } catch (error) {
    if (!ConfigError.isInstance(error)) throw error;
    throw new ConfigError(error.issues.map((issue) => ({ ...issue, path: `${where}.${issue.path}` })));
  }
}

const elapsed = (since: number) => Math.round((performance.now() - since) * 100) / 100;

async function readSource(
  source: string | object,
  options: CompileOptions,
  issues: ValidationIssue[],
): Promise<{ raw: unknown; baseDir: string } | { document: Document; baseDir: string } | undefined> {
  if (typeof source !== 'string') return { raw: source as unknown, baseDir: options.baseDir ?? process.cwd() };
  const path = resolve(source);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    issues.push({ phase: 'structure', path: '', message: `cannot read config file ${path}`, fix: 'check the path, or run `entity init` to create one' });
    return undefined;
  }
  const document = parseDocument(text, { prettyErrors: true });
  for (const error of document.errors) {
    const line = error.linePos?.[0]?.line;
    issues.push({ phase: 'structure', path: line ? `line ${line}` : '', message: error.message.split('\n')[0]!, fix: 'fix the YAML syntax (indentation, quotes, colons)' });
  }
  return document.errors.length > 0 ? undefined : { document, baseDir: dirname(path) };
}

/**
 * Validates a config in phases — structure (schema, env, resource types), graph (plugins load,
 * dependencies exist, no cycles), and on request runtime (resources start and pass health
 * checks) — collecting every problem instead of stopping at the first.
 */
export async function compileConfig(source: string | object, options: CompileOptions = {}): Promise<CompiledConfig> {
  const issues: ValidationIssue[] = [];
  const warnings: string[] = [];
  const timings: ValidationReport['timings'] = {};
  const compiled: CompiledConfig = { report: { ok: false, issues, warnings, timings }, document: undefined, resourceConfigs: new Map(), pluginNames: [], agentOptions: undefined };
  const add = (phase: ValidationPhase, found: readonly ConfigIssue[]) => issues.push(...found.map((issue) => ({ ...issue, phase })));

  let started = performance.now();
  const input = await readSource(source, options, issues);
  if (!input) return compiled;
  const envIssues: ConfigIssue[] = [];
  const environment = loadEnvironment(input.baseDir, options.environment ?? process.env);
  let raw: unknown;
  if ('document' in input) {
    interpolateDocument(input.document, environment, envIssues);
    raw = input.document.toJS() ?? {};
  } else {
    raw = interpolateEnvironment(input.raw ?? {}, environment, envIssues);
  }
  add('structure', envIssues);
  const { agentConfigSchema } = configSchemas();
  const parsed = agentConfigSchema.safeParse(raw);
  if (!parsed.success) add('structure', configIssuesFrom(parsed.error, [], agentConfigSchema));
  // A problem in one part (a typo at the root) must not hide the others: what is usable is checked on.
  const document = parsed.success ? parsed.data : usableParts(raw);
  if (parsed.success) compiled.document = parsed.data;
  const types = new Map<string, ResourceType<any, any>>();
  for (const [name, { type, ...config }] of Object.entries(document.resources)) {
    const lookup = await findResourceType(type, options.resourceTypes ?? [], input.baseDir);
    if ('problem' in lookup) {
      add('structure', [{ path: `resources.${name}.type`, message: lookup.problem, fix: lookup.fix }]);
      continue;
    }
    const result = lookup.found.configSchema.safeParse(config);
    if (!result.success) add('structure', configIssuesFrom(result.error, ['resources', name], lookup.found.configSchema));
    else {
      const resolved = lookup.found.resolvePaths ? lookup.found.resolvePaths(result.data, input.baseDir) : result.data;
      compiled.resourceConfigs.set(name, { type, config: resolved });
      types.set(name, lookup.found);
    }
  }
  // Every entry is checked before any is imported: a config must not run code from elsewhere, even under `validate`.
  const pluginTargets: PluginModuleTarget[] = [];
  let unsafePlugin = false;
  for (const [index, entry] of document.plugins.entries()) {
    if (entry === undefined) continue;
    const checked = checkPluginSpecifier(typeof entry === 'string' ? entry : entry.use, input.baseDir);
    if (isPluginModuleTarget(checked)) pluginTargets[index] = checked;
    else {
      unsafePlugin = true;
      add('structure', [{ path: `plugins.${index}`, ...checked }]);
    }
  }
  timings.structure = elapsed(started);
  if (unsafePlugin) return compiled;
  // After other structure problems the graph phase still loads the plugins, so their configs are
  // checked in the same pass; the cross-checks (resources, dependencies, workflow names) wait for a
  // sound structure, since they would mostly repeat its problems.
  const structureSound = issues.length === 0;

  started = performance.now();
  const resources: Record<string, Resource> = {};
  for (const [name, { config }] of structureSound ? compiled.resourceConfigs : []) {
    try {
      resources[name] = await types.get(name)!.create(config);
    } catch (error) {
      const message = `could not be created: ${redactSecrets((error as Error).message)}`;
      if (!options.drawOnly) add('graph', [{ path: `resources.${name}`, message, fix: 'check this resource\'s settings' }]);
      else {
        resources[name] = {};
        warnings.push(`resources.${name} is drawn without its dependencies: it ${message}`);
      }
    }
  }
  const container = new ResourceContainer(resources);
  if (structureSound) {
    try {
      container.resolveOrder();
    } catch (error) {
      if (!ResourceError.isInstance(error)) throw error;
      if (options.drawOnly) warnings.push(`resources.${error.resource}.dependencies: ${error.message}`);
      else add('graph', [{ path: `resources.${error.resource}.dependencies`, message: error.message, fix: 'add the missing resource or break the cycle' }]);
    }
  }
  const registry = new PluginRegistry();
  const plugins: PluginInput[] = [];
  for (const [index, entry] of document.plugins.entries()) {
    if (entry === undefined) {
      compiled.pluginNames.push([]);
      continue;
    }
    const where = `plugins.${index}`;
    const spec = typeof entry === 'string' ? { use: entry } : entry;
    try {
      const module = await importPluginModule(pluginTargets[index]!, spec.use, input.baseDir, where);
      const names: string[] = [];
      for (const plugin of await pluginsOfModule(module, spec.export, where)) {
        const config = spec.config && plugin.resolveConfigPaths ? resolvedConfig(plugin, spec.config, input.baseDir, where) : spec.config;
        const registration = { plugin, ...(config ? { config } : {}), ...(spec.stages ? { stages: spec.stages as never } : {}) };
        registry.register(registration, undefined, `${where} (${plugin.name})`);
        plugins.push(registration);
        names.push(plugin.name);
      }
      compiled.pluginNames.push(names);
    } catch (error) {
      // A plugin module's own errors may quote what it was given (a URL, a key): censored like the rest.
      if (ConfigError.isInstance(error)) add('graph', redactIssues(error.issues));
      else if (EntityError.isInstance(error)) add('graph', [{ path: where, message: redactSecrets(error.message), fix: 'install the package or fix the path' }]);
      else add('graph', [{ path: where, message: `plugin module failed to load: ${redactSecrets((error as Error).message)}`, fix: 'fix the error in the plugin module' }]);
      compiled.pluginNames.push([]);
    }
  }
  warnings.push(...registry.warnings);
  if (!structureSound) {
    timings.graph = elapsed(started);
    return compiled;
  }
  const implicit = new Set(['memory', 'logging', 'metrics', 'llm', 'storage']);
  const entryOf = new Map(compiled.pluginNames.flatMap((names, index) => names.map((name) => [name, `plugins.${index} (${name})`] as const)));
  for (const { plugin } of registry.all()) {
    for (const dependency of plugin.dependencies ?? []) {
      // A resource with a structure problem is configured: that problem is reported on its own.
      if (!(dependency in document.resources) && !implicit.has(dependency)) {
        add('graph', [{ path: `${entryOf.get(plugin.name) ?? `plugins.${plugin.name}`}.dependencies`, message: `plugin "${plugin.name}" needs resource "${dependency}", which is not configured`, fix: `add "${dependency}" under resources` }]);
      }
    }
  }
  let workflow: Workflow | undefined;
  if (document.workflow) {
    for (const [stage, names] of Object.entries(document.workflow)) {
      for (const name of names ?? []) {
        if (!registry.has(name) && !name.startsWith('entity:')) {
          add('graph', [{ path: `workflow.${stage}`, message: `plugin "${name}" is not registered`, fix: `add it under plugins or remove it from workflow.${stage}` }]);
        }
      }
    }
    workflow = new Workflow(document.workflow as never);
  }
  if ((document.defaultWorkflow ?? true) && !container.has('llm')) {
    warnings.push('no "llm" resource is configured: the zero-config default (Ollama, then OPENAI_API_KEY, then ANTHROPIC_API_KEY) will be detected at start');
  }
  timings.graph = elapsed(started);
  if (issues.length > 0) return compiled;

  if (options.runtime) {
    started = performance.now();
    const log = inMemoryLogger({ echoLevel: false });
    try {
      await container.start(log);
      for (const [name, resource] of container.entries()) {
        const health = await resource.healthCheck?.();
        if (health && !health.healthy) add('runtime', [{ path: `resources.${name}`, message: redactSecrets(health.message), fix: 'see the message; `entity doctor` checks the usual causes' }]);
      }
    } catch (error) {
      const name = ResourceError.isInstance(error) ? error.resource : '';
      add('runtime', [{ path: `resources.${name}`, message: redactSecrets((error as Error).message), fix: 'start the service or correct its address; `entity doctor` helps' }]);
    } finally {
      await container.stop(log);
    }
    timings.runtime = elapsed(started);
  }

  compiled.report.ok = issues.length === 0;
  // Reached only when nothing failed, so the document parsed in full.
  const { resources: _resources, plugins: _plugins, workflow: _workflow, server: _server, ...settings } = compiled.document!;
  compiled.agentOptions = {
    ...settings,
    configDir: input.baseDir,
    resources,
    plugins,
    ...(workflow ? { workflow } : {}),
  };
  return compiled;
}

/** Runs the validation phases and returns every problem found (see `compileConfig`). */
export async function validateConfig(source: string | object, options: CompileOptions = {}): Promise<ValidationReport> {
  return (await compileConfig(source, options)).report;
}

/** `validate(config, { runtime })`: the three validation phases, as the design names them. */
export const validate = validateConfig;
