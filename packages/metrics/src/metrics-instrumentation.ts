import type { Instrumentation, OperationEnd, OperationStart } from '@entity/core';
import { applyAttributes, type MetricEvent, newEventId } from './metric-event.js';

const timeOrigin = performance.timeOrigin;

/** Turns the end of each engine operation into one metric event. */
export function createMetricsInstrumentation(
  record: (event: MetricEvent, keep: boolean) => void,
  options: { stages: boolean },
): Instrumentation {
  // One object literal with every field: a single hidden class, so the hot path stays monomorphic.
  const toEvent = (operation: OperationStart, end: OperationEnd): MetricEvent => {
    const event: MetricEvent = {
      id: newEventId(),
      kind: operation.kind,
      name: operation.name,
      startedAt: timeOrigin + operation.startTime,
      durationMs: end.durationMs,
      runId: operation.runId,
      userId: operation.userId,
      conversationId: operation.conversationId,
      stage: operation.stage,
      iteration: operation.iteration,
      operation: operation.kind === 'tool' ? undefined : operation.operation,
      operationId: operation.id,
      parentId: operation.parentId,
      success: end.success,
      errorType: end.errorType,
      value: undefined,
      labels: undefined,
      model: undefined,
      provider: undefined,
      inputTokens: undefined,
      outputTokens: undefined,
      costUsd: undefined,
      metadata: undefined,
    };
    return end.attributes === undefined ? event : applyAttributes(event, end.attributes);
  };

  return {
    start(operation) {
      return (end) => {
        try {
          record(toEvent(operation, end), operation.kind !== 'stage' || options.stages);
        } catch {
          // Metrics never break a turn.
        }
      };
    },
  };
}
