import type { Instrumentation, LogFields, LogLevel, OperationEnd, OperationKind, OperationStart } from '@entity/core';
import type { EntityLogger } from './entity-logger.js';
import type { LevelSetting } from './log-filter.js';

/** Levels of the entry written at the end of each operation, by kind. */
export interface OperationLogLevels {
  /** Default: `run` info; `stage`, `plugin`, `tool`, `resource` debug. */
  success?: Partial<Record<OperationKind, LevelSetting>>;
  /** Default: `run` and `plugin` error; `tool` and `resource` warn; `stage` debug (its plugin already said why). */
  failure?: Partial<Record<OperationKind, LevelSetting>>;
}

const DEFAULT_SUCCESS: Record<OperationKind, LevelSetting> = {
  run: 'info',
  stage: 'debug',
  plugin: 'debug',
  tool: 'debug',
  resource: 'debug',
};
const DEFAULT_FAILURE: Record<OperationKind, LevelSetting> = {
  run: 'error',
  stage: 'debug',
  plugin: 'error',
  // The engine's tool runner already writes the one full warning for a failed tool call (stage,
  // iteration, code, redacted text); a second warning here would split that record in two.
  tool: 'debug',
  resource: 'warn',
};

const COMPONENT: Record<OperationKind, string> = {
  run: 'pipeline',
  stage: 'pipeline',
  plugin: 'plugin',
  tool: 'tool',
  resource: 'resource',
};

const describe = (operation: OperationStart): string => {
  switch (operation.kind) {
    case 'run':
      return 'run';
    case 'stage':
      return `stage ${operation.name}`;
    case 'resource':
      return operation.operation === undefined ? `resource ${operation.name}` : `${operation.name}.${operation.operation}`;
    default:
      return `${operation.kind} ${operation.name}`;
  }
};

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

/** The fields that place an operation in the pipeline, as the issue lists them. */
const startFields = (operation: OperationStart): LogFields => {
  const fields: LogFields = { component: COMPONENT[operation.kind] ?? operation.kind };
  if (operation.runId !== undefined) fields.runId = operation.runId;
  if (operation.userId !== undefined) fields.userId = operation.userId;
  if (operation.conversationId !== undefined) fields.conversationId = operation.conversationId;
  if (operation.stage !== undefined) fields.stage = operation.stage;
  if (operation.iteration !== undefined) fields.iteration = operation.iteration;
  if (operation.kind === 'plugin') fields.plugin = operation.name;
  else if (operation.kind === 'tool') fields.tool = operation.name;
  else if (operation.kind === 'resource') {
    fields.resource = operation.name;
    if (operation.operation !== undefined) fields.operation = operation.operation;
  }
  const correlationId = (operation as { correlationId?: unknown }).correlationId;
  if (typeof correlationId === 'string') fields.correlationId = correlationId;
  fields.operationId = operation.id;
  if (operation.parentId !== undefined) fields.parentOperationId = operation.parentId;
  return fields;
};

/**
 * Writes one structured entry when each operation ends: where it ran, how long it took, whether
 * it failed and why, plus what the engine learnt from the result (model, tokens...). Operations
 * whose entries no level or filter would keep cost nothing.
 */
export function createLoggingInstrumentation(
  logger: EntityLogger,
  levels: OperationLogLevels = {},
  options: { byNameRules?: boolean } = {},
): Instrumentation {
  const success = { ...DEFAULT_SUCCESS, ...levels.success };
  const failure = { ...DEFAULT_FAILURE, ...levels.failure };
  const probe: LogFields = {};
  // Without per-name filters the answer depends on the kind alone: decide once per kind.
  const byKind = new Map<OperationKind, readonly [boolean, boolean]>();

  const wants = (operation: OperationStart): readonly [boolean, boolean] => {
    const kind = operation.kind;
    const known = options.byNameRules ? undefined : byKind.get(kind);
    if (known !== undefined) return known;
    const successLevel = success[kind];
    const failureLevel = failure[kind];
    probe.component = COMPONENT[kind];
    probe.plugin = kind === 'plugin' ? operation.name : undefined;
    probe.tool = kind === 'tool' ? operation.name : undefined;
    probe.resource = kind === 'resource' ? operation.name : undefined;
    const decision = [
      successLevel !== undefined && successLevel !== 'off' && logger.isLevelEnabled(successLevel, probe),
      failureLevel !== undefined && failureLevel !== 'off' && logger.isLevelEnabled(failureLevel, probe),
    ] as const;
    if (!options.byNameRules) byKind.set(kind, decision);
    return decision;
  };

  return {
    start(operation: OperationStart) {
      try {
        const [wantsSuccess, wantsFailure] = wants(operation);
        if (!wantsSuccess && !wantsFailure) return undefined;
        return (end: OperationEnd) => {
          if (end.success ? !wantsSuccess : !wantsFailure) return;
          try {
            writeEnd(operation, end);
          } catch {
            // Logging never throws into the agent.
          }
        };
      } catch {
        return undefined;
      }
    },
  };

  function writeEnd(operation: OperationStart, end: OperationEnd): void {
    const fields = startFields(operation);
    fields.durationMs = round(end.durationMs);
    fields.success = end.success;
    if (end.errorType !== undefined) fields.errorType = end.errorType;
    if (end.attributes !== undefined) {
      for (const key of Object.keys(end.attributes)) if (!(key in fields)) fields[key] = end.attributes[key];
    }
    if (!end.success && end.error !== undefined) fields.err = end.error;
    const level = (end.success ? success[operation.kind] : failure[operation.kind]) as LogLevel;
    const outcome = end.success ? 'completed' : `failed${end.errorType ? ` (${end.errorType})` : ''}`;
    logger.log(level, `${describe(operation)} ${outcome} in ${fields.durationMs} ms`, fields);
  }
}

