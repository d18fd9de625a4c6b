import type { StudioRunEvent } from './studio-types.js';

/** One row of the runs list. */
export interface RunSummary {
  runId: string;
  userId: string | undefined;
  conversationId: string | undefined;
  startedAt: number;
  /** Undefined while the run has not ended (no `run` event yet). */
  durationMs: number | undefined;
  status: 'ok' | 'error' | 'running';
  errorType: string | undefined;
  iterations: number | undefined;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  toolCalls: number;
  modelCalls: number;
}

export interface RunFilters {
  status?: 'ok' | 'error' | 'running' | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
  minTokens?: number | undefined;
  minCostUsd?: number | undefined;
}

/** Groups run-log events by run: the `run` event says how it ended, the others add tokens, cost and calls. */
export function summarizeRuns(events: readonly StudioRunEvent[]): RunSummary[] {
  const runs = new Map<string, RunSummary>();
  for (const event of events) {
    if (event.runId === undefined) continue;
    let run = runs.get(event.runId);
    if (!run) {
      run = {
        runId: event.runId,
        userId: event.userId,
        conversationId: event.conversationId,
        startedAt: event.startedAt,
        durationMs: undefined,
        status: 'running',
        errorType: undefined,
        iterations: undefined,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        toolCalls: 0,
        modelCalls: 0,
      };
      runs.set(event.runId, run);
    }
    run.startedAt = Math.min(run.startedAt, event.startedAt);
    run.userId ??= event.userId;
    run.conversationId ??= event.conversationId;
    if (event.kind === 'run') {
      run.startedAt = event.startedAt;
      run.durationMs = event.durationMs;
      run.status = event.success === false ? 'error' : 'ok';
      run.errorType = event.errorType;
      const iterations = event.metadata?.iterations;
      if (typeof iterations === 'number') run.iterations = iterations;
    }
    if (event.kind === 'tool') run.toolCalls++;
    // Tokens and cost are reported by the model call (a resource operation) and repeated on the plugin that made it: count them once.
    if (event.kind !== 'resource') continue;
    if (event.model !== undefined || event.inputTokens !== undefined) run.modelCalls++;
    run.inputTokens += event.inputTokens ?? 0;
    run.outputTokens += event.outputTokens ?? 0;
    run.costUsd += event.costUsd ?? 0;
  }
  return [...runs.values()];
}

/** The runs that pass every filter given, newest first. */
export function filterRuns(runs: readonly RunSummary[], filters: RunFilters): RunSummary[] {
  return runs
    .filter((run) => filters.status === undefined || run.status === filters.status)
    .filter((run) => filters.minDurationMs === undefined || (run.durationMs ?? 0) >= filters.minDurationMs)
    .filter((run) => filters.maxDurationMs === undefined || (run.durationMs !== undefined && run.durationMs <= filters.maxDurationMs))
    .filter((run) => filters.minTokens === undefined || run.inputTokens + run.outputTokens >= filters.minTokens)
    .filter((run) => filters.minCostUsd === undefined || run.costUsd >= filters.minCostUsd)
    .sort((a, b) => b.startedAt - a.startedAt);
}
