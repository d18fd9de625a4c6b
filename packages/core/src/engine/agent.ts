import { isDeepStrictEqual } from 'node:util';
import type { ZodType } from 'zod';
import type { Context } from '../contracts/context.js';
import type { AgentEvent, ChatResult, StructuredChatResult } from '../contracts/events.js';
import type { Plugin } from '../contracts/plugin.js';
import type { Resource } from '../contracts/resource.js';
import type { Stage } from '../contracts/stage.js';
import type { Tool, ToolInfo, ToolResult } from '../contracts/tool.js';
import type { DiscoverToolsFilter } from '../contracts/context.js';
import type { CompiledConfig, CompileOptions } from '../config/compile-config.js';
import { ConfigError } from '../errors/index.js';
import { AgentLifecycle } from './agent-lifecycle.js';
import type { AgentOptions, ChatOptions, ReloadParameters, StreamOptions } from './agent-options.js';
import { applySettings, checkSettings } from './agent-settings.js';
import { callToolOutsideTurn, runTurn } from './agent-turn.js';
import { type AgentDescription, describeAgent } from './describe-agent.js';
import { checkMaxBufferedEvents, DEFAULT_MAX_BUFFERED_EVENTS, streamEvents } from './event-stream.js';
import { defaultPromptName, type PromptOptions, promptPlugin, type ToolHelperOptions, toolPlugin } from './layer-zero.js';
import { parsePluginConfig } from './plugin-config.js';
import { PluginRegistry } from './plugin-registry.js';
import { importFromProject } from './project-import.js';
import { ResourceContainer } from './resource-container.js';
import { DEFAULT_SETTINGS, type EngineSettings } from './runtime.js';

export type { AgentOptions, ChatOptions, ReloadParameters, StreamOptions } from './agent-options.js';

/**
 * The config machinery (YAML parser, schema compilation, plugin module loading) loads on first use:
 * an agent built in code never pays for it at start-up.
 */
const loaders = () => import('./agent-loaders.js');

/** Agents built in this process so far: numbers them, so messages can tell apart agents of the same name. */
let agentsBuilt = 0;

/** An agent: plugins in stages, resources by name, one `chat` call per message. */
export class Agent {
  readonly name: string;
  /** This agent's number in the process (from 1), shown where two agents may share a name. */
  private readonly agentNumber = ++agentsBuilt;
  private readonly registry = new PluginRegistry();
  private readonly container: ResourceContainer;
  private readonly settings: EngineSettings;
  private readonly options: AgentOptions;
  private loadedConfig: { source: string | object; options: CompileOptions; compiled: CompiledConfig } | undefined;
  /** Start, stop, and what runs need once started. */
  private readonly lifecycle: AgentLifecycle;

  constructor(options: AgentOptions = {}) {
    this.options = options;
    this.name = options.name ?? 'agent';
    this.settings = { ...DEFAULT_SETTINGS };
    applySettings(this.settings, options);
    this.container = new ResourceContainer(options.resources as Record<string, Resource> | undefined);
    for (const plugin of options.workflow?.plugins ?? []) this.registry.register(plugin);
    for (const plugin of options.plugins ?? []) this.registry.register(plugin);
    for (const tool of options.tools ?? []) this.registry.register(toolPlugin(tool));
    this.lifecycle = new AgentLifecycle({
      owner: this,
      name: this.name,
      agentNumber: this.agentNumber,
      options,
      registry: this.registry,
      container: this.container,
      settings: this.settings,
    });
  }

  /** Builds an agent from a YAML or JSON file (or an object), validated in full first. */
  static async fromConfig(source: string | object, options: CompileOptions = {}): Promise<Agent> {
    const { compileOrThrow } = await loaders();
    const compiled = await compileOrThrow(source, options);
    const agent = new Agent(compiled.agentOptions);
    agent.loadedConfig = { source, options, compiled };
    return agent;
  }

  /** Builds an agent from a directory: its `agent.yaml` (if any) plus every plugin and tool in `plugins/` and `tools/`. */
  static async fromDirectory(directory: string, options: CompileOptions = {}): Promise<Agent> {
    const { compileOrThrow, discoverDirectoryPlugins, findConfigFile } = await loaders();
    const configFile = findConfigFile(directory);
    // The config is validated in full before any file of plugins/ or tools/ is imported.
    const compiled = configFile ? await compileOrThrow(configFile, options) : undefined;
    const discovered = await discoverDirectoryPlugins(directory);
    if (!configFile || !compiled) return new Agent({ plugins: discovered });
    // A module both listed in agent.yaml and sitting in plugins/ is one plugin, configured by the YAML.
    const listed = new Set(compiled.pluginNames.flat());
    const unlisted = discovered.filter((plugin) => !listed.has(plugin.name));
    const agent = new Agent({ ...compiled.agentOptions, plugins: [...(compiled.agentOptions.plugins ?? []), ...unlisted] });
    agent.loadedConfig = { source: configFile, options, compiled };
    return agent;
  }

  /** Builds an agent from an installed package that exports one (or its options, or ships an agent.yaml). */
  static async fromPackage(name: string, projectDir?: string): Promise<Agent> {
    const { agentFromPackage } = await loaders();
    return agentFromPackage(name, projectDir);
  }

  /**
   * Hot reload: re-reads the config this agent was built from (or `source`) and applies changed
   * parameters. Topology changes are refused with "restart required" and change nothing.
   * Returns the names of what changed.
   */
  async reload(source?: string | object): Promise<string[]> {
    if (!this.loadedConfig) throw new ConfigError([{ path: '', message: 'this agent was not built from a config', fix: 'use Agent.fromConfig() to enable reload, or call reloadParameters()' }]);
    const nextSource = source ?? this.loadedConfig.source;
    const [{ compileConfig }, { applyParameterReload }] = await Promise.all([import('../config/compile-config.js'), import('../config/hot-reload.js')]);
    const next = await compileConfig(nextSource, this.loadedConfig.options);
    const changed = await applyParameterReload(this, this.loadedConfig.compiled, next);
    this.loadedConfig = { ...this.loadedConfig, source: nextSource, compiled: next };
    return changed;
  }

  /** A started resource by name (for hot reload, tests and adapters). */
  resource<T = unknown>(name: string): T {
    return this.container.get<T>(name);
  }

  /** Serves the agent over HTTP through `@entity/plugin-http`, loaded only now. */
  async serveHttp(options: Record<string, unknown> = {}): Promise<unknown> {
    const adapter = await importFromProject<{ serveHttp(agent: Agent, options: Record<string, unknown>): Promise<unknown> }>('@entity/plugin-http', 'agent.serveHttp()', this.options.projectDir);
    return adapter.serveHttp(this, options);
  }

  /** Serves the agent over WebSocket (and HTTP, on the same port) through `@entity/plugin-http`, loaded only now. */
  async serveWebSocket(options: Record<string, unknown> = {}): Promise<unknown> {
    const adapter = await importFromProject<{ serveWebSocket(agent: Agent, options: Record<string, unknown>): Promise<unknown> }>('@entity/plugin-http', 'agent.serveWebSocket()', this.options.projectDir);
    return adapter.serveWebSocket(this, options);
  }

  /** Runs an interactive terminal chat through `@entity/cli`, loaded only now. */
  async serveCli(options: Record<string, unknown> = {}): Promise<unknown> {
    const adapter = await importFromProject<{ serveCli(agent: Agent, options: Record<string, unknown>): Promise<unknown> }>('@entity/cli', 'agent.serveCli()', this.options.projectDir);
    return adapter.serveCli(this, options);
  }

  /**
   * Registers a plugin, a plugin with options, or a plain function. A function runs in
   * `options.stages` when given; otherwise its stage is a hint read from its own source
   * (`ctx.respond(` → DELIVER, `ctx.failure` → ERROR, tool calls → DO, else THINK). A function
   * that responds through a helper needs `{ stages: ['DELIVER'] }`.
   */
  use<TConfig>(plugin: Plugin<TConfig> | ((context: Context) => Promise<void> | void), options: { config?: unknown; stages?: readonly Stage[] } = {}): this {
    this.assertNotStarted('use()');
    if (typeof plugin === 'function') this.registry.register(plugin, options.stages);
    else this.registry.register({ plugin: plugin as Plugin<unknown>, ...options });
    return this;
  }

  /** Registers a tool (Layer 0): a `defineTool` result, or a name, options and a function. */
  tool<TInput, TOutput>(tool: Tool<TInput, TOutput>): this;
  tool<TInput, TOutput>(name: string, options: ToolHelperOptions<TInput>, execute: Tool<TInput, TOutput>['execute']): this;
  tool<TInput, TOutput>(
    toolOrName: Tool<TInput, TOutput> | string,
    options?: ToolHelperOptions<TInput>,
    execute?: Tool<TInput, TOutput>['execute'],
  ): this {
    this.assertNotStarted('tool()');
    this.registry.register(toolPlugin(toolOrName, options, execute));
    return this;
  }

  /**
   * Adds a THINK step (Layer 0): the string `build(ctx)` returns is sent to the `llm` resource
   * (with the conversation and the registered tools) in place of the user's message, and the
   * answer is stored as `ctx.load(name)` and becomes the turn's answer.
   */
  prompt(build: string | ((context: Context) => string | Promise<string>), options: PromptOptions = {}): this {
    this.assertNotStarted('prompt()');
    this.registry.register(promptPlugin(build, { ...options, name: options.name ?? defaultPromptName((name) => this.registry.has(name)) }));
    return this;
  }

  /** Starts resources and plugins; safe to call more than once. `chat` calls it for you. */
  start(): Promise<void> {
    return this.lifecycle.start();
  }

  /**
   * Stops the agent: refuses new runs (they reject with code `AGENT_STOPPING`), cancels the runs in
   * progress and waits for them — at most `stopTimeoutMs` (default 10 s) — then shuts down plugins
   * and stops resources in reverse start order. Calls made while a stop is under way share it.
   */
  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /**
   * Runs one message through the stages and returns the response with what happened. With
   * `output: schema`, `result.output` is the answer validated by the schema (typed from it).
   */
  chat<T>(message: string, options: ChatOptions & { output: ZodType<T>; throwOnFailure: true }): Promise<ChatResult & { status: 'ok'; output: T }>;
  chat<T>(message: string, options: ChatOptions & { output: ZodType<T> }): Promise<StructuredChatResult<T>>;
  chat(message: string, options?: ChatOptions): Promise<ChatResult>;
  chat(message: string, options: ChatOptions = {}): Promise<ChatResult> {
    return runTurn(this.lifecycle, message, options, undefined);
  }

  /**
   * Like `chat`, as a stream of events (stages, tokens, tool calls, the response); `done` comes last.
   * A consumer that reads slowly slows the run down: at most `maxBufferedEvents` events wait for it.
   */
  stream(message: string, options: StreamOptions = {}): AsyncIterable<AgentEvent> {
    const { maxBufferedEvents = DEFAULT_MAX_BUFFERED_EVENTS, ...chatOptions } = options;
    checkMaxBufferedEvents(maxBufferedEvents);
    return streamEvents((emit, signal) => runTurn(this.lifecycle, message, { ...chatOptions, signal }, emit), options.signal, maxBufferedEvents);
  }

  /**
   * Registered tools, as a plugin's `ctx.discoverTools()` lists them: what a host exposing the
   * agent (an MCP server) may offer. Only registered tools exist.
   */
  discoverTools(filter?: DiscoverToolsFilter): ToolInfo[] {
    return this.registry.discoverTools(filter);
  }

  /**
   * Calls one registered tool outside a turn (for hosts that expose the agent's tools, such as an
   * MCP server), through the same runner as a model's call: arguments validated, the tool's
   * timeout, instrumentation, and failures returned as `ok: false` results, never thrown. Only
   * cancellation (`signal`, `stop()`) rejects. Starts the agent when needed.
   */
  async callTool(name: string, args: unknown, options: Omit<ChatOptions, 'throwOnFailure' | 'timeoutMs'> = {}): Promise<ToolResult> {
    return callToolOutsideTurn(this.lifecycle, name, args, options);
  }

  /** Hot reload of parameters only; plugin or resource topology changes need a restart. All or nothing. */
  reloadParameters(parameters: ReloadParameters): void {
    this.prepareParameters(parameters)();
  }

  /** Validates reload parameters without applying any; the returned step applies them all and cannot fail. */
  prepareParameters(parameters: ReloadParameters): () => void {
    const next: EngineSettings = { ...this.settings, ...parameters.settings };
    checkSettings(next);
    const parsedConfigs = new Map<string, unknown>();
    for (const [name, config] of Object.entries(parameters.pluginConfigs ?? {})) {
      const registered = this.registry.get(name);
      if (!registered) {
        throw new ConfigError([{ path: `plugins.${name}`, message: `plugin "${name}" is not registered; adding plugins changes the topology`, fix: 'restart required' }]);
      }
      const parsed = parsePluginConfig(registered.plugin, config, `plugins.${name}`);
      if (!parsed.ok) throw new ConfigError(parsed.issues);
      // Its tools and dependencies were built from the config it was registered with; a new config cannot reach them.
      if (registered.configured && !isDeepStrictEqual(parsed.config, registered.config)) {
        throw new ConfigError([{ path: `plugins.${name}.config`, message: `plugin "${name}" builds its tools from its config, so its config cannot change while running`, fix: 'restart required' }]);
      }
      parsedConfigs.set(name, parsed.config);
    }
    return () => {
      applySettings(this.settings, next);
      for (const [name, config] of parsedConfigs) this.registry.get(name)!.config = config;
    };
  }

  private assertNotStarted(method: string): void {
    if (this.lifecycle.started) throw new ConfigError([{ path: '', message: `${method} was called after the agent started`, fix: 'register plugins and tools before start()/chat(), or stop() first' }]);
  }

  /** Resource names, plugins per stage and tools: what `entity graph` draws. */
  describe(): AgentDescription {
    this.lifecycle.prepare();
    return describeAgent(this.name, this.registry, this.container);
  }

  get currentSettings(): Readonly<EngineSettings> {
    return this.settings;
  }
}
