import type { InstrumentationProvider } from '../contracts/instrumentation.js';
import type { Logger } from '../contracts/logger.js';
import type { Metrics } from '../contracts/metrics.js';
import type { Stage } from '../contracts/stage.js';
import { inMemoryLogger } from '../builtins/in-memory-logger.js';
import { CancelledError, ConfigError } from '../errors/index.js';
import { ActiveRuns, stoppingError } from './active-runs.js';
import type { AgentOptions } from './agent-options.js';
import { defaultChatPlugins } from './default-workflow.js';
import { loggerObserver, metricsObserver } from './engine-observers.js';
import { InstrumentationHub } from './instrumentation-hub.js';
import { initialisePlugins, type PluginHolder, shutDownPlugins } from './plugin-lifecycle.js';
import type { PluginRegistry, RegisteredPlugin } from './plugin-registry.js';
import type { ResourceContainer } from './resource-container.js';
import type { EngineRuntime, EngineSettings } from './runtime.js';
import { settlesWithin } from './settles-within.js';
import type { StageMapping } from './workflow.js';
import { fillDefaultResources, isLogger } from './zero-config.js';

/** One `start()`: its abort switch (the `signal` of init and resource start contexts) and where it is. */
interface StartAttempt {
  readonly abort: AbortController;
  step: string;
}

/** What an agent's lifecycle works on: its identity, its registrations and its settings. */
export interface AgentParts {
  /** The agent itself: plugins are held by it (see `PluginHolder`). */
  readonly owner: object;
  readonly name: string;
  readonly agentNumber: number;
  readonly options: AgentOptions;
  readonly registry: PluginRegistry;
  readonly container: ResourceContainer;
  readonly settings: EngineSettings;
}

/**
 * An agent's start and stop: the built-ins, zero-config resources, resource start, plugin init and
 * observers on the way up; cancelling runs, plugin shutdown and resource stop on the way down.
 */
export class AgentLifecycle {
  readonly activeRuns = new ActiveRuns();
  private readonly hub = new InstrumentationHub();
  readonly name: string;
  private readonly agentNumber: number;
  private readonly owner: object;
  private readonly options: AgentOptions;
  private readonly registry: PluginRegistry;
  private readonly container: ResourceContainer;
  private readonly settings: EngineSettings;
  private logger: Logger = inMemoryLogger({ level: 'warn' });
  private starting: Promise<void> | undefined;
  /** The start in progress (or done): stop() aborts it, and reports the step it is stuck in. */
  private startAttempt: StartAttempt | undefined;
  /** Set once started: what runs execute with. */
  runtime: EngineRuntime | undefined;
  /** Plugins whose `init` ran, in order: what stop() shuts down. */
  private readonly initialised: RegisteredPlugin[] = [];
  /** The start that holds them (each start holds its plugins apart from an abandoned earlier one). */
  private pluginHolder: PluginHolder | undefined;
  private stopping: Promise<void> | undefined;

  constructor(parts: AgentParts) {
    this.owner = parts.owner;
    this.name = parts.name;
    this.agentNumber = parts.agentNumber;
    this.options = parts.options;
    this.registry = parts.registry;
    this.container = parts.container;
    this.settings = parts.settings;
  }

  /** True from the first start() until a stop(): registrations are closed then. */
  get started(): boolean {
    return this.starting !== undefined;
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
  prepare(): void {
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
      this.pluginHolder = { agent: this.owner, agentName: this.name, agentNumber: this.agentNumber };
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
}
