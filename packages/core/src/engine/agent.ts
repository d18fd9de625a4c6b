import { randomUUID } from 'node:crypto';
import type { ZodType } from 'zod';
import type { AgentEvent, ChatResult, StructuredChatResult } from '../contracts/events.js';
import type { InstrumentationProvider } from '../contracts/instrumentation.js';
import type { Logger } from '../contracts/logger.js';
import type { Metrics } from '../contracts/metrics.js';
import type { Plugin } from '../contracts/plugin.js';
import type { Resource } from '../contracts/resource.js';
import type { Stage } from '../contracts/stage.js';
import type { Tool } from '../contracts/tool.js';
import { inMemoryLogger } from '../builtins/in-memory-logger.js';
import { CancelledError, ConfigError, RunFailedError, TimeoutError, ValidationError } from '../errors/index.js';
import { defaultChatPlugins } from './default-workflow.js';
import { loggerObserver, metricsObserver } from './engine-observers.js';
import { InstrumentationHub } from './instrumentation-hub.js';
import { defaultPromptName, type PromptOptions, promptPlugin, type ToolHelperOptions, toolPlugin } from './layer-zero.js';
import { linkAbort, untilAborted } from './linked-abort.js';
import { executeRun } from './pipeline.js';
import { ActiveRuns, stoppingError } from './active-runs.js';
import { settlesWithin } from './settles-within.js';
import { initialisePlugins, type PluginHolder, shutDownPlugins } from './plugin-lifecycle.js';
import { type PluginInput, PluginRegistry, type RegisteredPlugin } from './plugin-registry.js';
import { ResourceContainer } from './resource-container.js';
import { Run } from './run.js';
import { RunContext } from './run-context.js';
import { DEFAULT_SETTINGS, type EngineRuntime, type EngineSettings, type EventSink } from './runtime.js';
import { checkMaxBufferedEvents, DEFAULT_MAX_BUFFERED_EVENTS, streamEvents } from './event-stream.js';
import { type AgentDescription, describeAgent } from './describe-agent.js';
import type { StageMapping, Workflow } from './workflow.js';
import { parsePluginConfig } from './plugin-config.js';
import { fillDefaultResources, isLogger } from './zero-config.js';
import type { Context } from '../contracts/context.js';
import type { CompiledConfig, CompileOptions } from '../config/compile-config.js';
import { importFromProject } from './project-import.js';
import { outputRequestOf } from './structured-output.js';

export interface AgentOptions extends Partial<EngineSettings> {
  /** Shown in logs and graphs. Default: `agent`. */
  name?: string;
  /**
   * Resources by name (`llm`, `memory`, `storage`, `logging`, `metrics`, or any other name).
   * Any object will do (a client, a cache); the `Resource` hooks (`start`, `stop`,
   * `dependencies`, `healthCheck`, ...) are used when it has them.
   */
  resources?: Record<string, Resource | object>;
  plugins?: PluginInput[];
  tools?: Tool<any, unknown>[];
  /** A reusable stage → plugin mapping; plugins it names must be registered (built-ins are). */
  workflow?: Workflow;
  /** Add the built-in chat workflow (load history, ask the model, run tools, respond). Default: true. */
  defaultWorkflow?: boolean;
  /** Fill in missing `llm`, `memory` and `storage` from installed `@entity/*` packages. Default: true. */
  zeroConfig?: boolean;
  /** Where optional packages (zero-config defaults, adapters) are looked up. Default: the working directory, then the running program's folder. */
  projectDir?: string;
  /**
   * Folder the zero-config memory and storage keep their files in (`.entity/memory`,
   * `agent_files`). `Agent.fromConfig` sets the config file's folder, so a config run from
   * elsewhere uses the same files. Default: the working directory.
   */
  configDir?: string;
}

export interface ChatOptions {
  /** Whose message this is; memory and remembered values are private to this id. Default: `default`. */
  userId?: string;
  /** Which conversation of the user. Default: `default`. */
  conversationId?: string;
  /** Cancels the run; `chat` then rejects with CancelledError. */
  signal?: AbortSignal;
  /** Budget of this run in ms. Default: the agent's `runTimeoutMs`. */
  timeoutMs?: number;
  /** Id of the incoming request (e.g. an `x-request-id` header), attached to every log entry and operation of the run. */
  correlationId?: string;
  /**
   * Reject with `RunFailedError` (its `result` is the failed result, its `cause` the error) when
   * the run goes through the ERROR stage, instead of resolving with `status: 'failed'`.
   * Default: false — a failed turn still has a reply for the user (the apology), and servers and
   * chat loops want to show it; scripts that need the answer or nothing pass true.
   */
  throwOnFailure?: boolean;
  /**
   * Ask for the answer in this zod schema: the result's `output` is the validated, typed object
   * (`response` its JSON form). The model answers through the LLM resource's structured output
   * (`generateObject`, which retries once with the validation problem); with tools, the tool loop
   * runs first and the final answer is then asked in the schema. An answer that still does not
   * match fails the run (`status: 'failed'`, `info.failure.code` `LLM_OUTPUT_INVALID` from the
   * provider, or `OUTPUT_INVALID` when a plugin answered). No `token` events stream for such a run.
   */
  output?: ZodType;
  /** Name of the `output` schema, shown to providers that need one. Default: `response`. */
  outputName?: string;
}

export interface StreamOptions extends Omit<ChatOptions, 'throwOnFailure'> {
  /**
   * Events held for a consumer that reads slower than the run produces. When that many wait, the
   * run pauses (model tokens, stage and tool events) until the consumer reads again, so memory stays
   * bounded behind a slow client. Default: 64.
   */
  maxBufferedEvents?: number;
}

/** Parameters a hot reload may change. */
export interface ReloadParameters {
  settings?: Partial<EngineSettings>;
  /** New config per plugin name, validated by the plugin's schema. */
  pluginConfigs?: Record<string, unknown>;
}

/** One `start()`: its abort switch (the `signal` of init and resource start contexts) and where it is. */
interface StartAttempt {
  readonly abort: AbortController;
  step: string;
}

/**
 * The config machinery (YAML parser, schema compilation, plugin module loading) loads on first use:
 * an agent built in code never pays for it at start-up.
 */
const loaders = () => import('./agent-loaders.js');

const ID_PATTERN = /^[\w.@:+-]{1,200}$/;
/** Agents built in this process so far: numbers them, so messages can tell apart agents of the same name. */
let agentsBuilt = 0;
const NUMERIC_SETTINGS = ['maxIterations', 'runTimeoutMs', 'toolTimeoutMs', 'toolConcurrency', 'historyLimit', 'stopTimeoutMs', 'errorTimeoutMs'] as const;

/** An agent: plugins in stages, resources by name, one `chat` call per message. */
export class Agent {
  readonly name: string;
  /** This agent's number in the process (from 1), shown where two agents may share a name. */
  private readonly agentNumber = ++agentsBuilt;
  private readonly registry = new PluginRegistry();
  private readonly container: ResourceContainer;
  private readonly hub = new InstrumentationHub();
  private readonly settings: EngineSettings;
  private readonly options: AgentOptions;
  private logger: Logger = inMemoryLogger({ level: 'warn' });
  private starting: Promise<void> | undefined;
  /** The start in progress (or done): stop() aborts it, and reports the step it is stuck in. */
  private startAttempt: StartAttempt | undefined;
  private loadedConfig: { source: string | object; options: CompileOptions; compiled: CompiledConfig } | undefined;
  private runtime: EngineRuntime | undefined;
  /** Plugins whose `init` ran, in order: what stop() shuts down. */
  private readonly initialised: RegisteredPlugin[] = [];
  /** The start that holds them (each start holds its plugins apart from an abandoned earlier one). */
  private pluginHolder: PluginHolder | undefined;
  private readonly activeRuns = new ActiveRuns();
  private stopping: Promise<void> | undefined;

  constructor(options: AgentOptions = {}) {
    this.options = options;
    this.name = options.name ?? 'agent';
    this.settings = { ...DEFAULT_SETTINGS };
    this.applySettings(options);
    this.container = new ResourceContainer(options.resources as Record<string, Resource> | undefined);
    for (const plugin of options.workflow?.plugins ?? []) this.registry.register(plugin);
    for (const plugin of options.plugins ?? []) this.registry.register(plugin);
    for (const tool of options.tools ?? []) this.registry.register(toolPlugin(tool));
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
    // Starting while a stop is under way would race its teardown: start again once it has finished.
    if (this.stopping) return this.stopping.then(() => this.start());
    if (!this.starting) {
      const attempt: StartAttempt = { abort: new AbortController(), step: 'preparing' };
      const starting: Promise<void> = this.startOnce(attempt).catch((error: unknown) => {
        // An abandoned start that gives up late must not forget a newer one.
        if (this.starting === starting) {
          this.starting = undefined;
          this.startAttempt = undefined;
        }
        throw error;
      });
      this.starting = starting;
      this.startAttempt = attempt;
    }
    return this.starting;
  }

  /** Registers the built-ins and orders every stage; repeatable, so `describe()` can use it before start. */
  private prepare(): void {
    const useDefaults = this.options.defaultWorkflow ?? true;
    if (useDefaults && !this.registry.has('entity:chat')) {
      for (const plugin of defaultChatPlugins({
        historyLimit: () => this.settings.historyLimit,
        instructions: () => this.settings.instructions,
      })) {
        this.registry.register(plugin);
      }
    }
    this.registry.applyWorkflow(this.options.workflow?.stages ?? this.defaultOrdering(useDefaults));
  }

  private async startOnce(attempt: StartAttempt): Promise<void> {
    const { signal } = attempt.abort;
    this.prepare();
    const needed = new Set(this.registry.all().flatMap((registered) => registered.plugin.dependencies ?? []));
    attempt.step = 'the zero-config defaults';
    await fillDefaultResources(this.container, needed, this.options.zeroConfig ?? true, this.options.projectDir, signal, this.options.configDir);
    signal.throwIfAborted();
    this.checkPluginDependencies();
    const logging = this.container.get<unknown>('logging');
    this.logger = isLogger(logging) ? logging.child({ agent: this.name }) : this.logger;
    await this.container.start(this.logger, signal, (name) => {
      attempt.step = `resource "${name}" start()`;
    });
    try {
      signal.throwIfAborted();
      this.attachObservers();
      for (const warning of this.registry.warnings) this.logger.warn(warning, { component: 'agent' });
      this.runtime = { registry: this.registry, container: this.container, hub: this.hub, logger: this.logger, settings: this.settings };
      this.pluginHolder = { agent: this, agentName: this.name, agentNumber: this.agentNumber };
      await initialisePlugins(
        this.registry.all(),
        this.pluginHolder,
        (registered) => ({
          config: registered.config,
          resource: (name) => this.container.get(name),
          has: (name) => this.container.has(name),
          log: this.logger.child({ component: 'plugin', plugin: registered.plugin.name }),
          signal,
        }),
        this.initialised,
        signal,
        (name) => {
          attempt.step = `plugin "${name}" init()`;
        },
      );
      attempt.step = 'started';
    } catch (error) {
      // Abandoned by stop(): shutting down what started is stop()'s job, and it may have begun.
      if (signal.aborted) throw error;
      // Not stop(): it waits for the start in progress, which is this one.
      this.runtime = undefined;
      await this.shutDown();
      throw error;
    }
  }

  /** Shuts down the plugins this agent initialised, then the resources. */
  private async shutDown(): Promise<void> {
    if (this.pluginHolder) await shutDownPlugins(this.initialised, this.pluginHolder, this.logger);
    await this.container.stop(this.logger);
  }

  /** Built-ins frame the user's plugins: history loads first, the built-in model call and reply come last. */
  private defaultOrdering(useDefaults: boolean): StageMapping {
    if (!useDefaults) return {};
    const user = (stage: Stage) =>
      this.registry.all().filter((r) => !r.plugin.name.startsWith('entity:') && r.assignment.stages.includes(stage)).map((r) => r.plugin.name);
    return {
      PARSE: ['entity:load-conversation', ...user('PARSE')],
      THINK: [...user('THINK'), 'entity:chat'],
      DO: [...user('DO'), 'entity:run-tool-calls'],
      DELIVER: [...user('DELIVER'), 'entity:respond'],
    };
  }

  private checkPluginDependencies(): void {
    const issues = this.registry.all().flatMap(({ plugin }) =>
      (plugin.dependencies ?? [])
        .filter((name) => !this.container.has(name))
        .map((name) => ({
          path: `plugins.${plugin.name}.dependencies`,
          message: `plugin "${plugin.name}" needs resource "${name}", which is not configured`,
          fix: `add "${name}" under resources`,
        })),
    );
    if (issues.length > 0) throw new ConfigError(issues);
  }

  private attachObservers(): void {
    this.hub.clear();
    for (const [name, resource] of this.container.entries()) {
      const provider = resource as Partial<InstrumentationProvider>;
      if (provider.instrumentation) this.hub.add(provider.instrumentation);
      // The in-process metrics the engine adds when none is configured have no reader: observing
      // every plugin and resource call into them would cost each turn for nothing.
      else if (name === 'metrics' && this.options.resources?.metrics) this.hub.add(metricsObserver(resource as unknown as Metrics));
      else if (name === 'logging' && this.options.resources?.logging && isLogger(resource)) this.hub.add(loggerObserver(resource));
    }
  }

  /**
   * Stops the agent: refuses new runs (they reject with code `AGENT_STOPPING`), cancels the runs in
   * progress and waits for them — at most `stopTimeoutMs` (default 10 s) — then shuts down plugins
   * and stops resources in reverse start order. Calls made while a stop is under way share it.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce().finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    this.activeRuns.refuse(() => stoppingError(this.name));
    try {
      const pending = this.starting;
      const attempt = this.startAttempt;
      this.starting = undefined;
      this.startAttempt = undefined;
      this.runtime = undefined;
      // A start still under way gives up: no further resource starts or plugin init runs, and the
      // init or start() in progress sees its `signal` abort.
      attempt?.abort.abort(new CancelledError(`Agent "${this.name}" is stopping; its start was abandoned`, { code: 'AGENT_STOPPING' }));
      // One deadline for both waits (they run side by side): a stuck run and a stuck start cost
      // stopTimeoutMs together, not one after the other.
      const [, startSettled] = await Promise.all([
        this.activeRuns.cancelAll(this.name, this.settings.stopTimeoutMs, this.logger),
        pending ? settlesWithin(pending, this.settings.stopTimeoutMs) : true,
      ]);
      if (!startSettled) {
        this.logger.warn(
          `The start of agent "${this.name}" is still in progress after ${this.settings.stopTimeoutMs} ms (stopTimeoutMs): ${attempt?.step ?? 'start'} has not returned. ` +
            'Stopping what did start; what that call starts is stopped when it returns. An init() or start() that ignores ctx.signal keeps running: pass the signal to what it awaits.',
          { component: 'agent' },
        );
      }
      await this.shutDown();
    } finally {
      this.activeRuns.accept();
    }
  }

  /**
   * Runs one message through the stages and returns the response with what happened. With
   * `output: schema`, `result.output` is the answer validated by the schema (typed from it).
   */
  chat<T>(message: string, options: ChatOptions & { output: ZodType<T>; throwOnFailure: true }): Promise<ChatResult & { status: 'ok'; output: T }>;
  chat<T>(message: string, options: ChatOptions & { output: ZodType<T> }): Promise<StructuredChatResult<T>>;
  chat(message: string, options?: ChatOptions): Promise<ChatResult>;
  chat(message: string, options: ChatOptions = {}): Promise<ChatResult> {
    return this.execute(message, options, undefined);
  }

  /**
   * Like `chat`, as a stream of events (stages, tokens, tool calls, the response); `done` comes last.
   * A consumer that reads slowly slows the run down: at most `maxBufferedEvents` events wait for it.
   */
  stream(message: string, options: StreamOptions = {}): AsyncIterable<AgentEvent> {
    const { maxBufferedEvents = DEFAULT_MAX_BUFFERED_EVENTS, ...chatOptions } = options;
    checkMaxBufferedEvents(maxBufferedEvents);
    return streamEvents((emit, signal) => this.execute(message, { ...chatOptions, signal }, emit), options.signal, maxBufferedEvents);
  }

  private async execute(message: string, options: ChatOptions, emit: EventSink | undefined): Promise<ChatResult> {
    if (typeof message !== 'string') throw new ValidationError(`chat() needs the message as a string; got ${typeof message}`);
    const userId = options.userId ?? 'default';
    const conversationId = options.conversationId ?? 'default';
    for (const [label, value] of [['userId', userId], ['conversationId', conversationId]] as const) {
      if (!ID_PATTERN.test(value)) {
        throw new ValidationError(`${label} "${value}" is invalid: use 1-200 letters, digits or . _ @ : + -`);
      }
    }
    const output = outputRequestOf(options.output, options.outputName);
    return this.activeRuns.track(async (active) => {
      const stopSignal = active.controller.signal;
      // A start that hangs must not hold the run (or the stop that cancels it).
      await untilAborted(this.start(), stopSignal);
      if (stopSignal.aborted) throw stopSignal.reason;
      const runtime = this.runtime!;
      const timeoutMs = options.timeoutMs ?? this.settings.runTimeoutMs;
      // Cancellation (the caller's signal, stop()) and the run's timeout are kept apart: the ERROR stage outlives the timeout.
      const cancel = options.signal ? linkAbort([options.signal, stopSignal]) : undefined;
      const cancelSignal = cancel?.signal ?? stopSignal;
      const runAbort = linkAbort([cancelSignal]);
      const timer = setTimeout(() => runAbort.controller.abort(new TimeoutError(`The run took longer than ${timeoutMs} ms`, timeoutMs, {
        safeMessage: 'Sorry, that took too long. Please try again.',
      })), timeoutMs);
      const run = new Run(randomUUID(), message, userId, conversationId, runAbort.signal, emit, cancelSignal);
      run.correlationId = options.correlationId;
      run.output = output;
      active.run = run;
      try {
        const result = await executeRun(run, new RunContext(run, runtime), runtime);
        if (options.throwOnFailure && run.failure) throw new RunFailedError(result, run.failure.error);
        return result;
      } finally {
        run.settled = true;
        clearTimeout(timer);
        runAbort.unlink();
        cancel?.unlink();
      }
    });
  }

  /** Hot reload of parameters only; plugin or resource topology changes need a restart. All or nothing. */
  reloadParameters(parameters: ReloadParameters): void {
    this.prepareParameters(parameters)();
  }

  /** Validates reload parameters without applying any; the returned step applies them all and cannot fail. */
  prepareParameters(parameters: ReloadParameters): () => void {
    const next: EngineSettings = { ...this.settings, ...parameters.settings };
    this.checkSettings(next);
    const parsedConfigs = new Map<string, unknown>();
    for (const [name, config] of Object.entries(parameters.pluginConfigs ?? {})) {
      const registered = this.registry.get(name);
      if (!registered) {
        throw new ConfigError([{ path: `plugins.${name}`, message: `plugin "${name}" is not registered; adding plugins changes the topology`, fix: 'restart required' }]);
      }
      const parsed = parsePluginConfig(registered.plugin, config, `plugins.${name}`);
      if (!parsed.ok) throw new ConfigError(parsed.issues);
      parsedConfigs.set(name, parsed.config);
    }
    return () => {
      this.applySettings(next);
      for (const [name, config] of parsedConfigs) this.registry.get(name)!.config = config;
    };
  }

  private checkSettings(settings: Partial<EngineSettings>): void {
    const issues = NUMERIC_SETTINGS.filter((key) => settings[key] !== undefined && !(Number.isInteger(settings[key]) && settings[key]! >= 1)).map((key) => ({
      path: key,
      message: `must be a positive integer; got ${String(settings[key])}`,
      fix: `set ${key} to a whole number >= 1`,
    }));
    if (issues.length > 0) throw new ConfigError(issues);
  }

  private applySettings(settings: Partial<EngineSettings>): void {
    this.checkSettings(settings);
    for (const key of NUMERIC_SETTINGS) {
      if (settings[key] !== undefined) this.settings[key] = settings[key];
    }
    if ('instructions' in settings) this.settings.instructions = settings.instructions;
  }

  private assertNotStarted(method: string): void {
    if (this.starting) throw new ConfigError([{ path: '', message: `${method} was called after the agent started`, fix: 'register plugins and tools before start()/chat(), or stop() first' }]);
  }

  /** Resource names, plugins per stage and tools: what `entity graph` draws. */
  describe(): AgentDescription {
    this.prepare();
    return describeAgent(this.name, this.registry, this.container);
  }

  get currentSettings(): Readonly<EngineSettings> {
    return this.settings;
  }
}

