import type { SourceRef } from './context.js';
import type { JsonValue } from './json.js';
import type { Stage } from './stage.js';
import type { Usage } from './llm.js';

/** Details of a failure handed to ERROR-stage plugins. */
export interface FailureInfo {
  stage: Stage;
  /** The plugin that failed, or `entity:engine` for engine-level failures (timeouts, max iterations). */
  plugin: string;
  iteration: number;
  error: Error;
  /** `error.code` for Entity errors, else the error's class name. */
  errorType: string;
  /** Text that is safe to show the user. */
  safeMessage: string;
}

export interface PluginTiming {
  plugin: string;
  stage: Stage;
  iteration: number;
  durationMs: number;
  success: boolean;
}

/** One tool call of a run; for a failure, the one record to debug it from (the log has the same). */
export interface ToolCallRecord {
  callId: string;
  name: string;
  arguments: unknown;
  success: boolean;
  durationMs: number;
  /** The stage the call ran in (the one that called or queued it). */
  stage: Stage;
  iteration: number;
  /** Failures: stable code — `TOOL_NOT_FOUND`, `INVALID_ARGUMENTS`, `TIMEOUT`, an Entity error's `code`, or `TOOL_FAILED` for any other error. */
  code?: string;
  /** Failures: the error's kind — its class name (`TypeError`), a system code (`ENOENT`), or the Entity error's code. */
  errorType?: string;
  /** Failures: the error's text with secrets censored (the model may have been told less; see the README). */
  error?: string;
}

/** What happened during one `chat` run. */
export interface RunInfo {
  runId: string;
  userId: string;
  conversationId: string;
  iterations: number;
  durationMs: number;
  plugins: PluginTiming[];
  toolCalls: ToolCallRecord[];
  usage: Usage;
  /** Where the answer came from, as plugins recorded it with `ctx.addSources()`; absent when none did. */
  sources?: SourceRef[];
  /** Values plugins attached with `ctx.annotate(key, value)`; absent when none did. */
  annotations?: Record<string, JsonValue>;
  /**
   * Present when the run went through the ERROR stage. Safe to show a caller: `message` is the
   * error's `safeMessage` (never the raw error text, which may hold provider responses or
   * credentials); the detail is in the log, redacted, under this run's `runId`.
   */
  failure?: {
    stage: Stage;
    plugin: string;
    /** `code` for Entity errors, else the error's class name (`TypeError`). */
    errorType: string;
    /** Stable machine-readable code: the Entity error's `code`, or `UNEXPECTED_ERROR` for any other error. */
    code: string;
    /** Text safe to show the user. */
    message: string;
  };
}

/** Whether a run answered (`ok`) or went through the ERROR stage (`failed`). */
export type ChatStatus = 'ok' | 'failed';

export interface ChatResult {
  /**
   * `failed` when the run went through the ERROR stage: `response` is then the apology (the
   * failure's safe message, or what a failure plugin answered), not an answer, and
   * `info.failure` says what failed. Check it before using `response` as the answer, or pass
   * `throwOnFailure: true` to `chat()` to get a rejection instead.
   */
  status: ChatStatus;
  /** What the DELIVER plugin passed to `respond()`. */
  response: JsonValue;
  /** The response as text (JSON for non-string responses). */
  text: string;
  info: RunInfo;
  /**
   * With `chat(message, { output: schema })`: the answer, validated by the schema (its output
   * type, transforms applied); `response` then holds its JSON form. Absent when the run failed or
   * asked for no `output`.
   */
  output?: unknown;
}

/** What `chat(message, { output: schema })` resolves with: `output` is typed from the schema when the run answered. */
export type StructuredChatResult<T> = (ChatResult & { status: 'ok'; output: T }) | (ChatResult & { status: 'failed'; output?: undefined });

/** Events `agent.stream()` yields, in order. `done` is always last. */
export type AgentEvent =
  | { type: 'run-start'; runId: string; userId: string; conversationId: string }
  | { type: 'stage'; stage: Stage; iteration: number }
  | { type: 'token'; text: string }
  | { type: 'tool-call'; callId: string; name: string; arguments: unknown }
  | { type: 'tool-result'; callId: string; name: string; ok: boolean; value?: unknown; error?: string }
  | { type: 'response'; response: JsonValue; text: string }
  | {
      type: 'error';
      errorType: string;
      /** Safe text for the user (the reply that follows in `response` unless a failure plugin answers). */
      message: string;
      stage: Stage;
      plugin: string;
      /**
       * True when `token` events of this run came before this error: the text they carried is void
       * (it may be cut off, or the very thing that failed review). Remove it from the screen; the
       * `response` event that follows carries the reply to show instead.
       */
      discardPartialOutput: boolean;
    }
  | { type: 'custom'; name: string; data: unknown }
  | NestedAgentEvent
  | { type: 'done'; result: ChatResult };

/**
 * An event of another agent's run, made while a tool of this run called it (`agentTool`, a hand-off):
 * `callId` is the calling tool call's id (as in its `tool-call` and `tool-result` events), or the
 * hand-off's id; `agent` the called agent's name. The inner run's events arrive in order, wrapped
 * once per level (an agent tool inside an agent tool nests twice); its `done` is not forwarded —
 * the outer `tool-result` carries the outcome. An inner `tool-result` may carry the inner tool's
 * error text, as outer ones do: filter nested events like top-level ones before they leave the process.
 */
export interface NestedAgentEvent {
  type: 'nested';
  callId: string;
  agent: string;
  event: AgentEvent;
}

export type AgentEventType = AgentEvent['type'];
