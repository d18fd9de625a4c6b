import type { Instrumentation, OperationStart } from '@entity/core';

let nextId = 1000;
/** Drives an instrumentation through one run: THINK (plugin → llm.chat), DO (tool), as the engine does. */
export function driveRun(instrumentation: Instrumentation, runId: string, userId = 'u1', llmFails = false) {
  const base = { runId, userId, conversationId: 'c1' };
  const start = (partial: Omit<OperationStart, 'id' | 'startTime' | 'runId' | 'userId' | 'conversationId'>) => {
    const operation: OperationStart = { ...base, ...partial, id: nextId++, startTime: performance.now() };
    return { operation, end: instrumentation.start(operation) };
  };
  const run = start({ kind: 'run', name: 'run' });
  const think = start({ kind: 'stage', name: 'THINK', stage: 'THINK', iteration: 1, parentId: run.operation.id });
  const plugin = start({ kind: 'plugin', name: 'entity:chat', stage: 'THINK', iteration: 1, parentId: think.operation.id });
  const llm = start({ kind: 'resource', name: 'llm', operation: 'chat', parentId: plugin.operation.id });
  llm.end?.(
    llmFails
      ? { durationMs: 3, success: false, errorType: 'PROVIDER_ERROR', error: new Error('503') }
      : { durationMs: 3, success: true, attributes: { model: 'm1', provider: 'p1', inputTokens: 11, outputTokens: 7 } },
  );
  plugin.end?.({ durationMs: 4, success: !llmFails, ...(llmFails && { errorType: 'PROVIDER_ERROR' }) });
  think.end?.({ durationMs: 5, success: !llmFails, ...(llmFails && { errorType: 'PROVIDER_ERROR' }) });
  const doStage = start({ kind: 'stage', name: 'DO', stage: 'DO', iteration: 1, parentId: run.operation.id });
  const tool = start({ kind: 'tool', name: 'add', stage: 'DO', iteration: 1, operation: 'call', parentId: doStage.operation.id });
  tool.end?.({ durationMs: 1, success: true });
  doStage.end?.({ durationMs: 1.5, success: true });
  run.end?.({ durationMs: 8, success: !llmFails, ...(llmFails && { errorType: 'PROVIDER_ERROR' }), attributes: { iterations: 1, inputTokens: 11, outputTokens: 7 } });
}

