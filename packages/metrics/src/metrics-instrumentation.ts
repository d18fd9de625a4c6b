import type { Instrumentation, OperationEnd, OperationStart } from '@entity/core';
import { applyAttributes, type MetricEvent } from './metric-event.js';

const timeOrigin = performance.timeOrigin;

/** Turns the end of each engine operation into one metric event. */
export function createMetricsInstrumentation(
  record: (event: MetricEvent, keep: boolean) => void,
  options: { stages: boolean },
): Instrumentation {
  const toEvent = (operation: OperationStart, end: OperationEnd): MetricEvent => {
    const event: MetricEvent = {
      kind: operation.kind,
      name: operation.name,
      startedAt: timeOrigin + operation.startTime,
      durationMs: end.durationMs,
      success: end.success,
      operationId: operation.id,
    };
    if (operation.parentId !== undefined) event.parentId = operation.parentId;
    if (operation.runId !== undefined) event.runId = operation.runId;
    if (operation.userId !== undefined) event.userId = operation.userId;
    if (operation.conversationId !== undefined) event.conversationId = operation.conversationId;
    if (operation.stage !== undefined) event.stage = operation.stage;
    if (operation.iteration !== undefined) event.iteration = operation.iteration;
    if (operation.operation !== undefined && operation.kind !== 'tool') event.operation = operation.operation;
    if (end.errorType !== undefined) event.errorType = end.errorType;
    return applyAttributes(event, end.attributes);
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
