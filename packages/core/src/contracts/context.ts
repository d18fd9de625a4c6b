import type { ZodType } from 'zod';
import type { AgentEvent, FailureInfo, ToolCallRecord } from './events.js';
import type { JsonValue } from './json.js';
import type { LLM, Usage } from './llm.js';
import type { Logger } from './logger.js';
import type { Memory } from './memory.js';
import type { ChatMessage } from './message.js';
import type { Metrics } from './metrics.js';
import type { Stage } from './stage.js';
import type { Storage } from './storage.js';
import type { ToolInfo, ToolResult } from './tool.js';

/** Text a plugin added to the system prompt of this run's model calls (see `Context.addContext`). */
export interface ContextSection {
  text: string;
  /** Who added it or what it is (`retrieved passages`, `persona`), shown as a heading above the text. */
  label?: string;
}

/** Where part of an answer came from: a retrieved passage, a web page, a tool's record. */
export interface SourceRef {
  /** The document: a file path relative to its collection, a URL, a record id. */
  source: string;
  /** The part of it: a Markdown heading path, a page number, a row. */
  section?: string;
  /** How well it matched, when a retriever scored it (higher is better). */
  score?: number;
  /** The collection or index it came from. */
  collection?: string;
}

export interface QueueToolOptions {
  /** Id of the model's tool call this answers; the result is added to the conversation as a tool message. */
  toolCallId?: string;
}

export interface DiscoverToolsFilter {
  /** Substring of the name or description (case-insensitive). */
  search?: string;
  /** Only tools of this plugin. */
  plugin?: string;
}

/** Rarely needed powers, kept apart so the everyday API stays small. */
export interface AdvancedContext {
  /** Every scratch value of the run. */
  readonly state: ReadonlyMap<string, unknown>;
  /** Replaces the loaded history (messages before this run), e.g. after loading it from memory. */
  setHistory(messages: readonly ChatMessage[]): void;
  /** Adds any message (tool results, system notes) to this run's conversation. */
  appendMessage(message: ChatMessage): void;
  /** Messages added during this run (the user's message first). */
  readonly newMessages: readonly ChatMessage[];
  /**
   * Sends a custom event to `agent.stream()` consumers. Resolves once the event is buffered for
   * the consumer; await it, so a slow consumer slows the run down instead of events piling up
   * (back-pressure: at most `maxBufferedEvents` wait).
   */
  emit(name: string, data: unknown): Promise<void>;
  /** Sends a raw stream event (used by LLM plugins to forward tokens); await it like `emit`. */
  emitEvent(event: AgentEvent): Promise<void>;
  /** True when the caller is consuming `agent.stream()`, so plugins can stream tokens. */
  readonly streaming: boolean;
  /** Adds model usage to the run's totals. */
  addUsage(usage: Usage): void;
  /** Outcomes of every tool call so far in this run. */
  readonly toolCalls: readonly ToolCallRecord[];
  /** What plugins added with `addContext()`, in order; `askModel` puts it after the instructions. */
  readonly contextSections: readonly ContextSection[];
  /**
   * The schema the caller asked the answer in (`chat(message, { output })`), or undefined.
   * `askModel` honours it; a plugin that calls the model itself should ask in this schema
   * (`llm.generateObject`). The engine checks the final response against it either way.
   */
  readonly output: { readonly schema: ZodType; readonly name: string } | undefined;
}

/** Everything a plugin sees while it runs. */
export interface Context {
  readonly message: string;
  readonly userId: string;
  readonly conversationId: string;
  readonly runId: string;
  readonly stage: Stage;
  /** 1-based loop iteration. */
  readonly iteration: number;
  /** Aborted when the caller cancels or the run times out. */
  readonly signal: AbortSignal;
  /** In the ERROR stage: what failed. */
  readonly failure: FailureInfo | undefined;

  /** Scratch values for this run only; they survive iterations. */
  store(key: string, value: unknown): void;
  load<T = unknown>(key: string): T | undefined;
  has(key: string): boolean;

  /** Persistent values, private to this user (needs a `memory` resource, or uses the in-process default). */
  remember(key: string, value: JsonValue): Promise<void>;
  recall<T extends JsonValue = JsonValue>(key: string): Promise<T | undefined>;
  forget(key: string): Promise<boolean>;

  /** History plus this run's messages, oldest first. */
  conversation(): readonly ChatMessage[];
  /** Adds an assistant message to the conversation. */
  say(content: string): void;
  /** Sets the response and ends the loop. Only allowed in DELIVER (and ERROR). */
  respond(response: JsonValue): void;
  /** Whether a response has been set. */
  readonly responded: boolean;

  /** The agent's instructions (its configured system prompt), or undefined when it has none. */
  readonly instructions: string | undefined;
  /**
   * Adds text to the system prompt of this run's model calls, after the instructions: retrieved
   * passages, a persona, today's date. For this run only — it is never saved into the
   * conversation's history, so it does not pile up turn after turn. At most 100 sections and
   * 1,000,000 characters per run (a ValidationError past that).
   */
  addContext(text: string, options?: { label?: string }): void;
  /**
   * Settles the turn with this answer without calling the model: the built-in model call of the
   * default workflow is skipped and its DELIVER plugin responds with `content` and saves the turn,
   * as it would a model's answer. Only in PARSE and THINK, before the model was asked in this
   * iteration (a `/ping` command, a cached answer, a refusal by policy).
   */
  answer(content: string): void;
  /** Records where the answer came from; `chat()` results list them in `info.sources`. */
  addSources(sources: readonly SourceRef[]): void;
  /**
   * Attaches a JSON value to this run's info under `key` (`info.annotations[key]`): a plan, a
   * classification, a score a caller or test wants to read. A later call with the same key replaces it.
   * At most 100 keys per run and 64 KiB of JSON per value (a ValidationError past that).
   */
  annotate(key: string, value: JsonValue): void;

  /** Calls a registered tool now and waits for it. Failures come back as `ok: false`. */
  tool<T = unknown>(name: string, args: unknown): Promise<ToolResult<T>>;
  /** Queues a call to run in parallel with the others when the current stage ends; returns its call id. */
  queueTool(name: string, args: unknown, options?: QueueToolOptions): string;
  /** Results of queued calls that have completed, by call id. */
  toolResult(callId: string): ToolResult | undefined;
  /** Registered tools (only registered tools exist). */
  discoverTools(filter?: DiscoverToolsFilter): ToolInfo[];

  /** A resource by name; throws a clear error naming the missing resource. */
  resource<T = unknown>(name: string): T;
  hasResource(name: string): boolean;
  readonly llm: LLM;
  readonly memory: Memory;
  readonly storage: Storage;
  readonly log: Logger;
  readonly metrics: Metrics;

  readonly advanced: AdvancedContext;
}
