import type { Instrumentation, OperationEnd, OperationStart } from '../contracts/instrumentation.js';
import type { Logger } from '../contracts/logger.js';
import type { Metrics } from '../contracts/metrics.js';
import type { Stage } from '../contracts/stage.js';
import { redactSecrets } from '../redaction/secret-redactor.js';

/** Records runs, plugin executions and resource calls on a `Metrics` resource that has no observer of its own. */
export function metricsObserver(metrics: Metrics): Instrumentation {
  return {
    start(operation) {
      if (operation.kind === 'stage') return undefined;
      return (end) => {
        const timestamp = new Date();
        const base = { durationMs: end.durationMs, success: end.success, timestamp, ...(end.errorType ? { errorType: end.errorType } : {}) };
        const ofRun = { runId: operation.runId ?? '', userId: operation.userId ?? '', conversationId: operation.conversationId ?? '' };
        switch (operation.kind) {
          case 'run':
            metrics.recordRun({ ...base, ...ofRun, iterations: Number(end.attributes?.iterations ?? 0) });
            return;
          case 'plugin':
            metrics.recordPluginExecution({
              ...base,
              ...ofRun,
              stage: operation.stage as Stage,
              plugin: operation.name,
              iteration: operation.iteration ?? 0,
            });
            return;
          case 'tool':
          case 'resource':
            metrics.recordResourceOperation({
              ...base,
              ...(operation.runId ? { runId: operation.runId } : {}),
              ...(operation.userId ? { userId: operation.userId } : {}),
              resource: operation.kind === 'tool' ? `tool:${operation.name}` : operation.name,
              operation: operation.operation ?? 'call',
              ...(end.attributes ? { metadata: end.attributes } : {}),
            });
            return;
        }
      };
    },
  };
}

const describe = (operation: OperationStart) =>
  operation.kind === 'resource' ? `${operation.name}.${operation.operation}` : `${operation.kind} ${operation.name}`;

/** Writes one debug entry per operation (warn on failure) to a `Logger` that has no observer of its own. */
export function loggerObserver(logger: Logger): Instrumentation {
  return {
    start(operation) {
      return (end: OperationEnd) => {
        const fields = {
          component: operation.kind === 'run' || operation.kind === 'stage' ? 'pipeline' : operation.kind,
          runId: operation.runId,
          userId: operation.userId,
          conversationId: operation.conversationId,
          stage: operation.stage,
          [operation.kind === 'resource' ? 'resource' : operation.kind === 'tool' ? 'tool' : 'plugin']:
            operation.kind === 'run' || operation.kind === 'stage' ? undefined : operation.name,
          durationMs: Math.round(end.durationMs * 1000) / 1000,
          ...(end.errorType ? { errorType: end.errorType } : {}),
          ...end.attributes,
        };
        // A failed tool call already has its one full record, written by the tool runner.
        if (end.success || operation.kind === 'tool') logger.debug(`${describe(operation)} ${end.success ? 'finished' : 'failed'}`, fields);
        else logger.warn(`${describe(operation)} failed: ${end.error ? redactSecrets(end.error.message) : end.errorType}`, fields);
      };
    },
  };
}
