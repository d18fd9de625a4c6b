import { randomUUID } from 'node:crypto';
import type { MetricLabels, PluginExecutionRecord, ResourceOperationRecord, RunRecord } from '@entity/core';

/** What a stored event describes: an operation of the engine, or a custom figure from a plugin. */
export type MetricEventKind = 'run' | 'stage' | 'plugin' | 'tool' | 'resource' | 'counter' | 'observation';

/**
 * One row of the unified agent log. Operations carry where they ran and how they went; custom
 * counters and observations carry `value` and `labels`.
 */
export interface MetricEvent {
  /**
   * Unique id (a UUID), given when the event is recorded. Stores skip ids they already hold, so a
   * batch written again after a write that timed out (but landed later) is not counted twice.
   * Events stored before ids existed read back with `00000000-0000-0000-0000-` and their row
   * number in hex.
   */
  id: string;
  kind: MetricEventKind;
  /** Plugin, tool, resource or metric name; `run` for runs; the stage for stages. */
  name: string;
  /** When the operation started (or the figure was recorded), epoch milliseconds with fractions. */
  startedAt: number;
  durationMs?: number;
  runId?: string;
  userId?: string;
  conversationId?: string;
  stage?: string;
  iteration?: number;
  /** Resource method (`chat`, `appendMessages`, `database.sql`...). */
  operation?: string;
  /** The engine's operation id and its parent's, to rebuild the tree of a run. */
  operationId?: number;
  parentId?: number;
  success?: boolean;
  errorType?: string;
  /** Custom counters and observations. */
  value?: number;
  labels?: MetricLabels;
  model?: string;
  provider?: string;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** Anything else the engine learnt from the result. */
  metadata?: Record<string, unknown>;
}

const KNOWN_METADATA = new Set(['model', 'provider', 'inputTokens', 'outputTokens', 'totalTokens', 'costUsd']);

/** A new event id. */
export const newEventId = (): string => randomUUID();

/** Moves model, provider, tokens and cost out of free-form metadata into their own columns. */
export function applyAttributes(event: MetricEvent, attributes: Record<string, unknown> | undefined): MetricEvent {
  if (attributes === undefined) return event;
  const { model, provider, inputTokens, outputTokens, costUsd } = attributes;
  if (typeof model === 'string') event.model = model;
  if (typeof provider === 'string') event.provider = provider;
  if (typeof inputTokens === 'number' && Number.isFinite(inputTokens)) event.inputTokens = inputTokens;
  if (typeof outputTokens === 'number' && Number.isFinite(outputTokens)) event.outputTokens = outputTokens;
  if (typeof costUsd === 'number' && Number.isFinite(costUsd)) event.costUsd = costUsd;
  let metadata: Record<string, unknown> | undefined;
  for (const key of Object.keys(attributes)) {
    if (KNOWN_METADATA.has(key) || attributes[key] === undefined) continue;
    metadata ??= {};
    metadata[key] = attributes[key];
  }
  if (metadata !== undefined) event.metadata = { ...event.metadata, ...metadata };
  return event;
}

const startOf = (timestamp: Date, durationMs: number) => timestamp.getTime() - durationMs;

export function runRecordToEvent(record: RunRecord): MetricEvent {
  const event: MetricEvent = {
    id: newEventId(),
    kind: 'run',
    name: 'run',
    startedAt: startOf(record.timestamp, record.durationMs),
    durationMs: record.durationMs,
    runId: record.runId,
    userId: record.userId,
    conversationId: record.conversationId,
    success: record.success,
    metadata: { iterations: record.iterations },
  };
  if (record.errorType !== undefined) event.errorType = record.errorType;
  return event;
}

export function pluginRecordToEvent(record: PluginExecutionRecord): MetricEvent {
  const event: MetricEvent = {
    id: newEventId(),
    kind: 'plugin',
    name: record.plugin,
    startedAt: startOf(record.timestamp, record.durationMs),
    durationMs: record.durationMs,
    runId: record.runId,
    userId: record.userId,
    conversationId: record.conversationId,
    stage: record.stage,
    iteration: record.iteration,
    success: record.success,
  };
  if (record.errorType !== undefined) event.errorType = record.errorType;
  return event;
}

export function resourceRecordToEvent(record: ResourceOperationRecord): MetricEvent {
  // The core's fallback observer reports tools as resource `tool:<name>`; keep them tools here.
  const isTool = record.resource.startsWith('tool:');
  const event: MetricEvent = {
    id: newEventId(),
    kind: isTool ? 'tool' : 'resource',
    name: isTool ? record.resource.slice(5) : record.resource,
    operation: record.operation,
    startedAt: startOf(record.timestamp, record.durationMs),
    durationMs: record.durationMs,
    success: record.success,
  };
  if (record.runId !== undefined) event.runId = record.runId;
  if (record.userId !== undefined) event.userId = record.userId;
  if (record.errorType !== undefined) event.errorType = record.errorType;
  return applyAttributes(event, record.metadata);
}
