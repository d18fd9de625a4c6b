import type { DiscoverToolsFilter } from '../contracts/context.js';
import type { Plugin, PluginRegistration } from '../contracts/plugin.js';
import { ALL_STAGES, type Stage } from '../contracts/stage.js';
import type { Tool, ToolInfo } from '../contracts/tool.js';
import { ConfigError, type ConfigIssue } from '../errors/index.js';
import { parsePluginConfig } from './plugin-config.js';
import { assignStages, type PluginFunction, pluginFromFunction, type StageAssignment } from './plugin-analysis.js';

/** A plugin as the engine runs it: config parsed, stages decided. */
export interface RegisteredPlugin {
  plugin: Plugin<unknown>;
  config: unknown;
  assignment: StageAssignment;
  /** Position in registration order (stable ordering within a stage). */
  order: number;
  /** The plugin was built from its config by `configure`: a config change needs a restart. */
  configured?: true;
}

/** The plugin `configure` builds for this config, checked to keep the name and kind it was registered under. */
function configuredPlugin(plugin: Plugin<unknown>, config: unknown, where: string): Plugin<unknown> {
  if (typeof plugin.configure !== 'function') return plugin;
  let built: Plugin<unknown>;
  try {
    built = plugin.configure(config);
  } catch (error) {
    // Its issues name keys of the plugin's config (`files.scope.folder`): say which entry they are in.
    if (ConfigError.isInstance(error)) throw new ConfigError(error.issues.map((issue) => ({ ...issue, path: issue.path ? `${where}.config.${issue.path}` : `${where}.config` })));
    throw error;
  }
  if (typeof built !== 'object' || built === null || built.name !== plugin.name || built.kind !== plugin.kind) {
    throw new ConfigError([
      {
        path: where,
        message: `plugin "${plugin.name}" configure() returned ${typeof built === 'object' && built !== null ? `a plugin named "${built.name}" of kind "${built.kind}"` : String(built)}`,
        fix: `return a plugin with the same name ("${plugin.name}") and kind ("${plugin.kind}") from configure()`,
      },
    ]);
  }
  return built;
}

export type PluginInput = Plugin<any> | PluginRegistration<any> | PluginFunction;

const isRegistration = (input: PluginInput): input is PluginRegistration<unknown> =>
  typeof input === 'object' && 'plugin' in input && typeof (input as PluginRegistration).plugin === 'object';

/** All plugins and tools of an agent. Registration is permission: only registered tools exist. */
export class PluginRegistry {
  private readonly plugins = new Map<string, RegisteredPlugin>();
  private readonly tools = new Map<string, { tool: Tool<unknown, unknown>; plugin: string }>();
  private byStage: Map<Stage, RegisteredPlugin[]> | undefined;
  private functionCounter = 0;
  /** Warnings found while registering (explicit stages differing from the kind's default). */
  readonly warnings: string[] = [];

  /** `functionStages` are the explicit stages of a plain function (`agent.use(fn, { stages })`). */
  /**
   * `where` names the plugin in error paths; default `plugins.<name>` (a config file passes
   * `plugins.<index> (<name>)`, the entry a user can find).
   */
  register(input: PluginInput, functionStages?: readonly Stage[], where?: string): RegisteredPlugin {
    const isFunction = typeof input === 'function';
    const registration: PluginRegistration<unknown> = isFunction
      ? { plugin: pluginFromFunction(input, `function-plugin-${++this.functionCounter}`), ...(functionStages ? { stages: functionStages } : {}) }
      : isRegistration(input)
        ? input
        : { plugin: input as Plugin<unknown> };
    const given = registration.plugin;
    if (this.plugins.has(given.name)) {
      throw new ConfigError([
        { path: `plugins.${given.name}`, message: `a plugin named "${given.name}" is already registered`, fix: 'give each plugin a unique name' },
      ]);
    }
    const parsed = parsePluginConfig(given, registration.config, where ?? `plugins.${given.name}`);
    if (!parsed.ok) throw new ConfigError(parsed.issues);
    const config = parsed.config;
    const plugin = configuredPlugin(given, config, where ?? `plugins.${given.name}`);
    for (const stage of registration.stages ?? plugin.stages ?? []) {
      if (!ALL_STAGES.includes(stage)) {
        throw new ConfigError([
          { path: `plugins.${plugin.name}.stages`, message: `unknown stage "${stage}"`, fix: `use one of ${ALL_STAGES.join(', ')}` },
        ]);
      }
    }
    for (const tool of plugin.tools ?? []) {
      const existing = this.tools.get(tool.name);
      if (existing) {
        throw new ConfigError([
          {
            path: `plugins.${plugin.name}.tools.${tool.name}`,
            message: `tool "${tool.name}" is already registered by plugin "${existing.plugin}"`,
            fix: 'rename one of the tools',
          },
        ]);
      }
      this.tools.set(tool.name, { tool: tool as Tool<unknown, unknown>, plugin: plugin.name });
    }
    const assignment = assignStages(plugin as Plugin<never>, registration.stages, isFunction);
    if (assignment.warning) this.warnings.push(assignment.warning);
    const registered: RegisteredPlugin = { plugin, config, assignment, order: this.plugins.size, ...(plugin === given ? {} : { configured: true }) };
    this.plugins.set(plugin.name, registered);
    this.byStage = undefined;
    return registered;
  }

  has(name: string): boolean {
    return this.plugins.has(name);
  }

  get(name: string): RegisteredPlugin | undefined {
    return this.plugins.get(name);
  }

  all(): RegisteredPlugin[] {
    return [...this.plugins.values()];
  }

  /** Restricts and orders stages by a workflow (stage → plugin names); plugins not named keep their own stages. */
  applyWorkflow(mapping: Partial<Record<Stage, readonly string[]>>): void {
    const issues: ConfigIssue[] = [];
    const named = new Set<string>();
    for (const [stage, names] of Object.entries(mapping) as [Stage, readonly string[]][]) {
      for (const name of names) {
        if (!this.plugins.has(name)) {
          issues.push({ path: `workflow.${stage}`, message: `plugin "${name}" is not registered`, fix: `register "${name}" under plugins or remove it from the workflow` });
        }
        named.add(name);
      }
    }
    if (issues.length > 0) throw new ConfigError(issues);
    const byStage = new Map<Stage, RegisteredPlugin[]>(ALL_STAGES.map((stage) => [stage, []]));
    for (const [stage, names] of Object.entries(mapping) as [Stage, readonly string[]][]) {
      byStage.set(stage, names.map((name) => this.plugins.get(name)!));
    }
    for (const registered of this.plugins.values()) {
      if (named.has(registered.plugin.name)) continue;
      for (const stage of registered.assignment.stages) byStage.get(stage)!.push(registered);
    }
    this.byStage = byStage;
  }

  /** Plugins of one stage, in order. */
  forStage(stage: Stage): readonly RegisteredPlugin[] {
    if (!this.byStage) {
      const byStage = new Map<Stage, RegisteredPlugin[]>(ALL_STAGES.map((s) => [s, []]));
      for (const registered of this.plugins.values()) {
        for (const s of registered.assignment.stages) byStage.get(s)!.push(registered);
      }
      this.byStage = byStage;
    }
    return this.byStage.get(stage)!;
  }

  tool(name: string): Tool<unknown, unknown> | undefined {
    return this.tools.get(name)?.tool;
  }

  discoverTools(filter: DiscoverToolsFilter = {}): ToolInfo[] {
    const search = filter.search?.toLowerCase();
    const found: ToolInfo[] = [];
    for (const { tool, plugin } of this.tools.values()) {
      if (filter.plugin && filter.plugin !== plugin) continue;
      if (search && !tool.name.toLowerCase().includes(search) && !tool.description.toLowerCase().includes(search)) continue;
      found.push({ name: tool.name, description: tool.description, parameters: tool.parameters, plugin });
    }
    return found;
  }

  get toolCount(): number {
    return this.tools.size;
  }
}
