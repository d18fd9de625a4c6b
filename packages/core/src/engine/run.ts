import type { ContextSection, SourceRef } from '../contracts/context.js';
import type { FailureInfo, PluginTiming, ToolCallRecord } from '../contracts/events.js';
import type { JsonValue } from '../contracts/json.js';
import type { Usage } from '../contracts/llm.js';
import type { ChatMessage } from '../contracts/message.js';
import type { Stage } from '../contracts/stage.js';
import type { ToolResult } from '../contracts/tool.js';
import type { EventSink } from './runtime.js';
import type { OutputRequest } from './structured-output.js';

export interface QueuedToolCall {
  callId: string;
  name: string;
  args: unknown;
  toolCallId: string | undefined;
  /** The operation the call nests under in traces (the stage it was queued in). */
  parentId: number;
}

/** The mutable state of one `chat` run. Contexts, tools and the pipeline all read and write it. */
export class Run {
  stage: Stage = 'PARSE';
  iteration = 0;
  readonly state = new Map<string, unknown>();
  history: readonly ChatMessage[] = [];
  readonly newMessages: ChatMessage[];
  response: JsonValue | undefined;
  responded = false;
  failure: FailureInfo | undefined;
  readonly queue: QueuedToolCall[] = [];
  readonly results = new Map<string, ToolResult>();
  readonly toolCalls: ToolCallRecord[] = [];
  readonly usage: Usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
  readonly pluginTimings: PluginTiming[] = [];
  /** System-prompt text plugins added for this run only (`ctx.addContext`). */
  readonly contextSections: ContextSection[] = [];
  readonly sources: SourceRef[] = [];
  readonly annotations = new Map<string, JsonValue>();
  /** The schema the caller asked the answer in (`chat(message, { output })`). */
  output: OutputRequest | undefined;
  /** The validated answer in that schema, once the run has responded. */
  outputValue: unknown;
  /** Instrumentation id of the run and of the current stage, so children nest under them. */
  spanId = 0;
  stageSpanId = 0;
  /** The innermost operation now running (plugin, or stage between plugins): parent of resource calls. */
  currentSpanId = 0;
  /** Name of the plugin now running, for log bindings. */
  currentPlugin: string | undefined;
  correlationId: string | undefined;
  /** The operation (another agent's tool call) this run's operation nests under, when it has one. */
  parentOperationId: number | undefined;
  /** How many agents' runs this one is nested in (`agentTool`, hand-offs); see `nesting.ts`. */
  nestingDepth = 0;
  /** Plugin and tool promises still running; a cancelled run returns before they settle, and stop() waits for them. */
  readonly pendingWork = new Set<Promise<unknown>>();
  private callCounter = 0;

  constructor(
    readonly runId: string,
    readonly message: string,
    readonly userId: string,
    readonly conversationId: string,
    /** Aborts on cancellation and on the run's timeout; replaced by the ERROR stage's own deadline while that stage runs, then restored. */
    public signal: AbortSignal,
    emit: EventSink | undefined,
    /** Aborts on cancellation only (the caller's signal, the agent stopping), never on the run's timeout. */
    readonly cancelSignal: AbortSignal = signal,
  ) {
    this.newMessages = [{ role: 'user', content: message }];
    this.emit = emit && this.noticingTokens(emit);
  }

  /** Where events go when the caller streams (`agent.stream()`); undefined for `chat()`. */
  readonly emit: EventSink | undefined;
  /** Whether `token` events went out: a failure then voids text the consumer already shows. */
  emittedTokens = false;
  /** Set once the run has returned or thrown: nothing it left running may add events after that. */
  settled = false;

  private noticingTokens(emit: EventSink): EventSink {
    return (event) => {
      // Events of a finished run would land after `error`/`response` and hold `done` back. (A plugin
      // the pipeline left behind is stopped at its own context: see RunContext.forPluginCall.)
      if (this.settled) return undefined;
      if (event.type === 'token') this.emittedTokens = true;
      const admitted = emit(event);
      // A cancelled or timed-out run must not wait on a consumer that stopped reading. Both the
      // current signal (the ERROR stage's deadline while it runs) and the cancellation signal are
      // watched: `signal` alone is replaced during ERROR, and a wait must never hang on a signal
      // nothing will abort any more.
      return admitted && untilAbortedOrDone(admitted, [this.signal, this.cancelSignal]);
    };
  }

  nextCallId(): string {
    return `call_${this.runId.slice(0, 8)}_${++this.callCounter}`;
  }

  /** Remembers `work` until it settles, so the agent's stop() can wait for it. */
  track<T>(work: Promise<T>): Promise<T> {
    this.pendingWork.add(work);
    const forget = () => this.pendingWork.delete(work);
    work.then(forget, forget);
    return work;
  }

  addUsage(usage: Usage): void {
    this.usage.inputTokens += usage.inputTokens;
    this.usage.outputTokens += usage.outputTokens;
    this.usage.totalTokens += usage.totalTokens;
    if (usage.costUsd !== undefined) this.usage.costUsd = (this.usage.costUsd ?? 0) + usage.costUsd;
  }
}

/** Resolves when `promise` does or when one of `signals` aborts, whichever comes first. */
function untilAbortedOrDone(promise: Promise<void>, signals: readonly AbortSignal[]): Promise<void> | undefined {
  if (signals.some((signal) => signal.aborted)) return undefined;
  return new Promise<void>((resolve) => {
    const done = () => {
      for (const signal of signals) signal.removeEventListener('abort', done);
      resolve();
    };
    for (const signal of signals) signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });
}
