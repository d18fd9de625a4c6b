import type { ZodType } from 'zod';
import type { AgentEvent } from './events.js';
import type { JsonSchema } from './json.js';
import type { Logger } from './logger.js';

/** What a tool sees while it runs. */
export interface ToolContext {
  userId: string;
  conversationId: string;
  runId: string;
  // The fields below are optional so contexts built by hand (a test calling `tool.execute`) still
  // type-check; the engine always sets them.
  /** This call's id, as in the run's `tool-call` and `tool-result` events. */
  callId?: string;
  /** Correlation id of the request that started the run, when it had one (pass it on to runs this tool starts). */
  correlationId?: string;
  /**
   * Instrumentation id of this call's operation: a run this tool starts (another agent's, see
   * `agentTool`) passes it as `parentOperationId`, so its operations nest under this call in traces.
   */
  operationId?: number;
  /** Aborted when the run is cancelled or the tool's timeout passes. */
  signal: AbortSignal;
  resource<T = unknown>(name: string): T;
  log: Logger;
  /** True when the caller consumes `agent.stream()`: events sent with `forwardEvent` reach it. */
  streaming?: boolean;
  /**
   * Sends an event of a run this tool started (another agent's) to the stream, wrapped as a
   * `nested` event under this call's id. Does nothing when the caller does not stream; await it, so
   * a slow consumer slows the inner run down too.
   */
  forwardEvent?(agent: string, event: AgentEvent): Promise<void>;
}

/**
 * A typed function the model (or a plugin) can call. Arguments are validated against `input`
 * before `execute` runs; invalid arguments come back to the caller as a tool error.
 */
export interface Tool<TInput = unknown, TOutput = unknown> {
  readonly name: string;
  readonly description: string;
  readonly input: ZodType<TInput>;
  /** JSON Schema of `input`, as sent to models. */
  readonly parameters: JsonSchema;
  /** Per-call time budget in ms. Default: the agent's `toolTimeoutMs` (30 s). */
  readonly timeoutMs?: number;
  execute(args: TInput, context: ToolContext): Promise<TOutput> | TOutput;
}

/** A registered tool as `discoverTools()` lists it. */
export interface ToolInfo {
  name: string;
  description: string;
  parameters: JsonSchema;
  /** The plugin that registered it. */
  plugin: string;
}

/** The outcome of one tool call. Failures are values, not exceptions, so one bad call cannot crash a turn. */
export type ToolResult<T = unknown> =
  | { ok: true; callId: string; name: string; value: T; durationMs: number }
  | { ok: false; callId: string; name: string; error: { code: string; message: string }; durationMs: number };
