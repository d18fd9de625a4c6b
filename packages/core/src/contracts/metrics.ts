import type { Resource } from './resource.js';
import type { Stage } from './stage.js';

/** One plugin execution inside a run. */
export interface PluginExecutionRecord {
  runId: string;
  userId: string;
  conversationId: string;
  stage: Stage;
  plugin: string;
  iteration: number;
  durationMs: number;
  success: boolean;
  errorType?: string;
  timestamp: Date;
}

/** One call on a resource (LLM chat, memory query, storage put...). */
export interface ResourceOperationRecord {
  runId?: string;
  userId?: string;
  resource: string;
  operation: string;
  durationMs: number;
  success: boolean;
  errorType?: string;
  /** Extra facts: model, provider, token counts, bytes... */
  metadata?: Record<string, unknown>;
  timestamp: Date;
}

/** One whole `chat` run. */
export interface RunRecord {
  runId: string;
  userId: string;
  conversationId: string;
  iterations: number;
  durationMs: number;
  success: boolean;
  errorType?: string;
  timestamp: Date;
}

export type MetricLabels = Record<string, string | number | boolean>;

/** Collects execution metrics. Recording is synchronous and cheap; persistence is the implementation's job. */
export interface Metrics extends Resource {
  recordRun(record: RunRecord): void;
  recordPluginExecution(record: PluginExecutionRecord): void;
  recordResourceOperation(record: ResourceOperationRecord): void;
  /** Adds to a custom counter. */
  increment(name: string, value?: number, labels?: MetricLabels): void;
  /** Records one observation of a custom histogram (latency, size...). */
  observe(name: string, value: number, labels?: MetricLabels): void;
  flush?(): Promise<void>;
  /** A view whose custom counters and observations are attributed to one run and user. */
  forRun?(run: { runId: string; userId?: string; conversationId?: string }): Metrics;
}
