import type { AdvancedContext, Context, DiscoverToolsFilter, QueueToolOptions, SourceRef } from '../contracts/context.js';
import type { AgentEvent, FailureInfo } from '../contracts/events.js';
import type { JsonValue } from '../contracts/json.js';
import type { LLM, Usage } from '../contracts/llm.js';
import type { Logger } from '../contracts/logger.js';
import type { Memory } from '../contracts/memory.js';
import type { ChatMessage } from '../contracts/message.js';
import type { Metrics } from '../contracts/metrics.js';
import type { Stage } from '../contracts/stage.js';
import type { Storage } from '../contracts/storage.js';
import type { ToolInfo, ToolResult } from '../contracts/tool.js';
import { copyJson, requireJson } from '../builtins/memory-input.js';
import { StageError, ValidationError } from '../errors/index.js';
import { STATE } from './ask-model.js';
import { instrumentResource } from './instrumented-resource.js';
import type { Run } from './run.js';
import type { EngineRuntime, EventSink } from './runtime.js';
import { callTool } from './tool-runner.js';

const RESPOND_STAGES: ReadonlySet<Stage> = new Set(['DELIVER', 'ERROR']);
const ANSWER_STAGES: ReadonlySet<Stage> = new Set(['PARSE', 'THINK']);
/** Bounds on what plugins add per run: a runaway loop must fail loudly, not grow the prompt without end. */
const MAX_CONTEXT_SECTIONS = 100;
// Bounds on what one run may hold for the model and for its run info, so a runaway plugin (a
// retrieval that adds a whole corpus) gets a clear error instead of growing the process.
export const MAX_CONTEXT_CHARS = 1_000_000;
export const MAX_ANNOTATIONS = 100;
export const MAX_ANNOTATION_JSON_CHARS = 64 * 1024;
const MAX_SOURCES = 1_000;

/** Plugins already warned about adding context too late, per agent runtime. */
const tooLateWarnings = new WeakMap<object, Set<string>>();

/** The `Context` plugins receive: a thin view over one run's state and the agent's runtime. */
export class RunContext implements Context {
  private readonly resources = new Map<string, unknown>();
  private logger: Logger | undefined;
  private loggerKey: string | undefined;
  private runMetrics: Metrics | undefined;
  private advancedView: AdvancedContext | undefined;

  /** Set on a context of one plugin call once the pipeline has moved on from that call. */
  private callOver = false;
  /** Where this context's events go: the run's sink, closed for a plugin call that is over. */
  private readonly events: EventSink | undefined;

  constructor(
    private readonly run: Run,
    private readonly runtime: EngineRuntime,
    pluginCall = false,
  ) {
    const emit = run.emit;
    this.events = emit && pluginCall ? (event) => (this.callOver ? undefined : emit(event)) : emit;
  }

  /**
   * A context for one plugin call of a streaming run (engine-internal). After `endPluginCall()`
   * its events are dropped: the plugin returned, failed or was abandoned (it ignores ctx.signal),
   * and what it emits now would land after `error`/`response` and hold `done` back. A flag on the
   * context, not AsyncLocalStorage, which on Node 22 turns on promise hooks for the whole process.
   */
  forPluginCall(): RunContext {
    return new RunContext(this.run, this.runtime, true);
  }

  /** Closes this plugin call's context to events (see {@link forPluginCall}). */
  endPluginCall(): void {
    this.callOver = true;
  }

  get message() {
    return this.run.message;
  }
  get userId() {
    return this.run.userId;
  }
  get conversationId() {
    return this.run.conversationId;
  }
  get runId() {
    return this.run.runId;
  }
  get stage() {
    return this.run.stage;
  }
  get iteration() {
    return this.run.iteration;
  }
  get signal() {
    return this.run.signal;
  }
  get failure(): FailureInfo | undefined {
    return this.run.failure;
  }
  get responded() {
    return this.run.responded;
  }

  get instructions(): string | undefined {
    return this.runtime.settings.instructions;
  }

  addContext(text: string, options: { label?: string } = {}): void {
    if (typeof text !== 'string' || text.trim() === '') throw new ValidationError('addContext() needs non-empty text');
    if (options.label !== undefined && (typeof options.label !== 'string' || options.label.trim() === '')) {
      throw new ValidationError('addContext(): label must be non-empty text when given');
    }
    if (this.run.contextSections.length >= MAX_CONTEXT_SECTIONS) {
      throw new ValidationError(`addContext() was called more than ${MAX_CONTEXT_SECTIONS} times in one run; join the texts into fewer sections`);
    }
    const total = this.run.contextSections.reduce((sum, section) => sum + section.text.length, text.length);
    if (total > MAX_CONTEXT_CHARS) {
      throw new ValidationError(
        `addContext() would give this run ${total} characters of context, over the limit of ${MAX_CONTEXT_CHARS}; add fewer or shorter texts (fewer retrieved chunks, a summary)`,
      );
    }
    this.run.contextSections.push(options.label === undefined ? { text } : { text, label: options.label });
    if (this.answeredWithText()) this.warnContextTooLate();
  }

  /** Whether this iteration already has its final answer (from `answer()` or a model reply without tool calls). */
  private answeredWithText(): boolean {
    const pending = this.run.state.get(STATE.pendingToolCalls) as readonly unknown[] | undefined;
    return this.run.state.get(STATE.answeredIteration) === this.run.iteration && this.run.state.get(STATE.answer) !== undefined && !pending?.length;
  }

  /**
   * Context added once the turn is answered reaches no model: a memory or retrieval plugin
   * registered after a reasoning pattern or a cache does nothing, silently. Said once per plugin
   * and agent, since it is a registration-order mistake, not something of one run.
   */
  private warnContextTooLate(): void {
    const plugin = this.run.currentPlugin ?? 'unknown';
    let warned = tooLateWarnings.get(this.runtime);
    if (!warned) {
      warned = new Set();
      tooLateWarnings.set(this.runtime, warned);
    }
    if (warned.has(plugin)) return;
    warned.add(plugin);
    this.log.warn(
      `addContext() from plugin "${plugin}" came after this turn was already answered (by ctx.answer() or the model), so no model call sees it. ` +
        `Register "${plugin}" before the plugin that answers (a reasoning pattern, a cache).`,
    );
  }

  answer(content: string): void {
    if (!ANSWER_STAGES.has(this.run.stage)) {
      throw new StageError(
        `answer() was called in the ${this.run.stage} stage; it settles a turn before the model is asked, so only PARSE and THINK plugins may call it. ` +
          'In DELIVER, call respond() instead.',
      );
    }
    if (typeof content !== 'string') throw new ValidationError(`answer() needs text; got ${content === null ? 'null' : typeof content}`);
    if (this.run.state.get(STATE.answeredIteration) === this.run.iteration) {
      throw new StageError('answer() was called after the model already answered in this iteration; call it from a plugin that runs before the model call (PARSE, or THINK before entity:chat)');
    }
    this.run.newMessages.push({ role: 'assistant', content });
    this.run.state.set(STATE.answer, content);
    this.run.state.set(STATE.pendingToolCalls, []);
    this.run.state.set(STATE.answeredIteration, this.run.iteration);
  }

  /** Correlation id of the request that started the run (engine-internal: hand-offs pass it on). */
  get correlationId(): string | undefined {
    return this.run.correlationId;
  }

  /** The operation now running, to nest another agent's run under (engine-internal). */
  get operationId(): number {
    return this.run.currentSpanId;
  }

  /** How many agents' runs this one is nested in (engine-internal: hand-offs pass it on, one deeper). */
  get nestingDepth(): number {
    return this.run.nestingDepth;
  }

  /** Throws unless {@link settleWith} can settle the turn now: checked before a hand-off runs the other agent. */
  checkCanSettle(): void {
    const answeredNow = this.run.state.get(STATE.answeredIteration) === this.run.iteration;
    const pending = (this.run.state.get(STATE.pendingToolCalls) as unknown[] | undefined)?.length ?? 0;
    if (answeredNow && (this.run.stage !== 'DO' || (pending === 0 && this.run.state.get(STATE.answer) !== undefined))) {
      throw new StageError(
        'the model already answered in this iteration; hand off before the model is asked (PARSE, or THINK before entity:chat), or from DO while the model asks for tools',
      );
    }
  }

  /**
   * Settles the turn with another agent's answer (engine-internal, for `handoff`). In PARSE and
   * THINK it is `answer()`. In DO the model has already asked for tool calls: each call not yet
   * run gets `note` as its result (a provider rejects a call without one, next turn), and the answer
   * follows them, so the saved conversation stays well-formed.
   */
  settleWith(content: string, note: string): void {
    if (this.run.stage !== 'DO') {
      this.answer(content);
      return;
    }
    const pending = this.run.state.get(STATE.pendingToolCalls) as { id: string; name: string }[] | undefined;
    const unanswered = [
      ...(pending ?? []).map((call) => ({ toolCallId: call.id, name: call.name })),
      ...this.run.queue.filter((call) => call.toolCallId !== undefined).map((call) => ({ toolCallId: call.toolCallId!, name: call.name })),
    ];
    this.run.queue.splice(0, this.run.queue.length, ...this.run.queue.filter((call) => call.toolCallId === undefined));
    for (const { toolCallId, name } of unanswered) this.run.newMessages.push({ role: 'tool', toolCallId, name, content: note });
    this.run.newMessages.push({ role: 'assistant', content });
    this.run.state.set(STATE.answer, content);
    this.run.state.set(STATE.pendingToolCalls, []);
    this.run.state.set(STATE.answeredIteration, this.run.iteration);
  }

  addSources(sources: readonly SourceRef[]): void {
    if (!Array.isArray(sources)) throw new ValidationError('addSources() needs an array of { source, section?, score?, collection? }');
    for (const [index, ref] of sources.entries()) {
      if (typeof ref !== 'object' || ref === null || typeof ref.source !== 'string' || ref.source === '') {
        throw new ValidationError(`addSources(): item ${index} needs a non-empty "source" (a file path, URL or record id)`);
      }
      // Sources go out in run info as JSON: a NaN score would arrive as null, an object section as a surprise.
      for (const field of ['section', 'collection'] as const) {
        if (ref[field] !== undefined && typeof ref[field] !== 'string') throw new ValidationError(`addSources(): item ${index} has a ${typeof ref[field]} "${field}"; it must be text`);
      }
      if (ref.score !== undefined && (typeof ref.score !== 'number' || !Number.isFinite(ref.score))) {
        throw new ValidationError(`addSources(): item ${index} has score ${String(ref.score)}; it must be a finite number`);
      }
    }
    if (this.run.sources.length + sources.length > MAX_SOURCES) throw new ValidationError(`addSources(): a run may list at most ${MAX_SOURCES} sources`);
    for (const { source, section, score, collection } of sources) {
      this.run.sources.push({
        source,
        ...(section === undefined ? {} : { section }),
        ...(score === undefined ? {} : { score }),
        ...(collection === undefined ? {} : { collection }),
      });
    }
  }

  annotate(key: string, value: JsonValue): void {
    if (typeof key !== 'string' || key === '') throw new ValidationError('annotate() needs a non-empty key');
    if (value === undefined) throw new ValidationError(`annotate("${key}") needs a JSON value; got undefined`);
    // Run info goes out as JSON (HTTP bodies, stream frames): a BigInt or a cycle would fail there,
    // after the turn was saved. A copy, so a plugin changing the object later does not change the info.
    requireJson(value, `annotate("${key}") value`, { allowNul: true });
    if (!this.run.annotations.has(key) && this.run.annotations.size >= MAX_ANNOTATIONS) {
      throw new ValidationError(`annotate("${key}"): a run may hold at most ${MAX_ANNOTATIONS} annotations; group values under fewer keys`);
    }
    const size = JSON.stringify(value).length;
    if (size > MAX_ANNOTATION_JSON_CHARS) {
      throw new ValidationError(`annotate("${key}") value is ${size} characters as JSON, over the limit of ${MAX_ANNOTATION_JSON_CHARS}; annotate a summary or an id, not the data`);
    }
    this.run.annotations.set(key, copyJson(value));
  }

  store(key: string, value: unknown): void {
    this.run.state.set(key, value);
  }
  load<T = unknown>(key: string): T | undefined {
    return this.run.state.get(key) as T | undefined;
  }
  has(key: string): boolean {
    return this.run.state.has(key);
  }

  remember(key: string, value: JsonValue): Promise<void> {
    return this.memory.set(this.run.userId, key, value);
  }
  recall<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined> {
    return this.memory.get<T>(this.run.userId, key);
  }
  forget(key: string): Promise<boolean> {
    return this.memory.delete(this.run.userId, key);
  }

  conversation(): readonly ChatMessage[] {
    return [...this.run.history, ...this.run.newMessages];
  }
  say(content: string): void {
    this.run.newMessages.push({ role: 'assistant', content });
  }
  respond(response: JsonValue): void {
    if (!RESPOND_STAGES.has(this.run.stage)) {
      throw new StageError(
        `respond() was called in the ${this.run.stage} stage; only DELIVER plugins may respond. ` +
          `Store the answer with ctx.store() and respond from an output plugin, or give this plugin stages: ['DELIVER'] ` +
          `(for a plain function: agent.use(fn, { stages: ['DELIVER'] })).`,
      );
    }
    if (response === undefined) throw new ValidationError('respond() needs a value; got undefined');
    this.run.response = response;
    this.run.responded = true;
  }

  tool<T = unknown>(name: string, args: unknown): Promise<ToolResult<T>> {
    return callTool(this.run, this.runtime, name, args, this.run.nextCallId(), this.run.currentSpanId, this.events) as Promise<ToolResult<T>>;
  }
  queueTool(name: string, args: unknown, options: QueueToolOptions = {}): string {
    const callId = this.run.nextCallId();
    // Queued calls run at the stage boundary, after the queuing plugin has finished: the stage is their parent.
    this.run.queue.push({ callId, name, args, toolCallId: options.toolCallId, parentId: this.run.stageSpanId });
    return callId;
  }
  toolResult(callId: string): ToolResult | undefined {
    return this.run.results.get(callId);
  }
  discoverTools(filter?: DiscoverToolsFilter): ToolInfo[] {
    return this.runtime.registry.discoverTools(filter);
  }

  resource<T = unknown>(name: string): T {
    let resource = this.resources.get(name);
    if (resource === undefined) {
      const raw = this.runtime.container.get<object>(name);
      // Observers are attached at start and fixed for the run: without any, the resource itself serves.
      resource = this.runtime.hub.active ? instrumentResource(name, raw, this.runtime.hub, this.run) : raw;
      this.resources.set(name, resource);
    }
    return resource as T;
  }
  hasResource(name: string): boolean {
    return this.runtime.container.has(name);
  }
  get llm(): LLM {
    return this.resource<LLM>('llm');
  }
  get memory(): Memory {
    return this.resource<Memory>('memory');
  }
  get storage(): Storage {
    return this.resource<Storage>('storage');
  }
  get metrics(): Metrics {
    if (!this.runMetrics) {
      const metrics = this.runtime.container.get<Metrics>('metrics');
      this.runMetrics = metrics.forRun?.({ runId: this.run.runId, userId: this.run.userId, conversationId: this.run.conversationId }) ?? metrics;
    }
    return this.runMetrics;
  }
  /** A logger bound to the run and to the plugin, stage and iteration now running (so per-plugin filters see plugin lines). */
  get log(): Logger {
    const { currentPlugin, stage, iteration } = this.run;
    const key = `${currentPlugin ?? ''}|${stage}|${iteration}`;
    if (this.loggerKey !== key || !this.logger) {
      this.logger = this.runtime.logger.child({
        runId: this.run.runId,
        userId: this.run.userId,
        conversationId: this.run.conversationId,
        ...(this.run.correlationId ? { correlationId: this.run.correlationId } : {}),
        ...(currentPlugin ? { component: 'plugin', plugin: currentPlugin } : { component: 'pipeline' }),
        stage,
        iteration,
      });
      this.loggerKey = key;
    }
    return this.logger;
  }

  get advanced(): AdvancedContext {
    const run = this.run;
    this.advancedView ??= {
      get state() {
        return run.state;
      },
      setHistory: (messages) => {
        run.history = [...messages];
      },
      appendMessage: (message) => {
        run.newMessages.push(message);
      },
      get newMessages() {
        return run.newMessages;
      },
      emit: async (name, data) => this.events?.({ type: 'custom', name, data }),
      emitEvent: async (event: AgentEvent) => this.events?.(event),
      get streaming() {
        return run.emit !== undefined;
      },
      addUsage: (usage: Usage) => run.addUsage(usage),
      get toolCalls() {
        return run.toolCalls;
      },
      get contextSections() {
        return run.contextSections;
      },
      get output() {
        return run.output;
      },
    };
    return this.advancedView;
  }
}
