import type { MetricEvent } from './metric-event.js';
import type { MetricsSummary } from './metrics-summary.js';

/** Which events `runLog` returns; every given criterion must match. */
export interface RunLogQuery {
  runId?: string;
  userId?: string;
  conversationId?: string;
  /** Events that started at or after this time. */
  from?: Date;
  /** Events that started before this time. */
  to?: Date;
  /** At most this many events, the earliest first. Default: 10000. */
  limit?: number;
}

export interface SummaryQuery {
  from: Date;
  to: Date;
  /** Only this user's runs and operations. */
  userId?: string;
}

/** Where metric events are kept. One conformance suite checks every implementation. */
export interface MetricsStore {
  /** A short name for health reports: `memory`, `database`. */
  readonly kind: string;
  /** Stores the events, skipping any whose `id` is already stored (a batch may be written again). */
  append(events: readonly MetricEvent[]): Promise<void>;
  /** Events matching `query`, in start order (ties: operation id, then arrival). */
  query(query: RunLogQuery): Promise<MetricEvent[]>;
  summary(query: SummaryQuery): Promise<MetricsSummary>;
  /** Deletes events that started before `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

export const DEFAULT_QUERY_LIMIT = 10_000;
