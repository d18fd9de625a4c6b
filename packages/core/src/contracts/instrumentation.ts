import type { Stage } from './stage.js';

export type OperationKind = 'run' | 'stage' | 'plugin' | 'tool' | 'resource';

/** An operation that is starting: a run, a stage pass, a plugin execution, a tool call or a resource call. */
export interface OperationStart {
  kind: OperationKind;
  /** Unique within the process; children point at it with `parentId`. */
  id: number;
  parentId?: number;
  /** Plugin, tool or resource name; `run` for runs; the stage for stages. */
  name: string;
  runId?: string;
  userId?: string;
  conversationId?: string;
  stage?: Stage;
  iteration?: number;
  /** For resource calls: the method called (`chat`, `appendMessages`, `put`...). */
  operation?: string;
  /** Correlation id of the request that started the run (e.g. from an `x-request-id` header). */
  correlationId?: string;
  startTime: number;
}

export interface OperationEnd {
  durationMs: number;
  success: boolean;
  error?: Error;
  errorType?: string;
  /** Facts learnt from the result: `model`, `provider`, `inputTokens`, `outputTokens`, `costUsd`... */
  attributes?: Record<string, unknown>;
}

/**
 * Observes every operation of the engine. Logging, metrics and tracing packages implement it;
 * `start` returns the function to call at the end (or nothing when it does not care).
 * Implementations must be cheap and must never throw.
 */
export interface Instrumentation {
  start(operation: OperationStart): ((end: OperationEnd) => void) | undefined;
}

/** Resources that also observe the engine (a logging resource, a metrics collector, a tracer). */
export interface InstrumentationProvider {
  readonly instrumentation: Instrumentation;
}
