import type { ZodType } from 'zod';
import type { JsonSchema } from './json.js';
import type { Logger } from './logger.js';

/** What a tool sees while it runs. */
export interface ToolContext {
  userId: string;
  conversationId: string;
  runId: string;
  /** Aborted when the run is cancelled or the tool's timeout passes. */
  signal: AbortSignal;
  resource<T = unknown>(name: string): T;
  log: Logger;
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
