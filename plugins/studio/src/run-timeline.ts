import type { StudioRunEvent } from './studio-types.js';

/** One bar of a run's waterfall. */
export interface TimelineRow {
  id: string;
  /** `run`, `stage`, `plugin`, `tool`, `resource`, or a custom figure's kind. */
  kind: string;
  name: string;
  /** Depth in the operation tree: run 0, stage 1, plugin 2, tool or model call 3… */
  depth: number;
  /** Milliseconds after the run started. */
  offsetMs: number;
  durationMs: number | undefined;
  stage: string | undefined;
  iteration: number | undefined;
  operation: string | undefined;
  success: boolean | undefined;
  errorType: string | undefined;
  /** True for operations of the ERROR stage: the path the run took after a failure. */
  errorPath: boolean;
  model: string | undefined;
  provider: string | undefined;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  costUsd: number | undefined;
  metadata: Record<string, unknown> | undefined;
}

export interface RunTimeline {
  runId: string;
  userId: string | undefined;
  conversationId: string | undefined;
  startedAt: number;
  durationMs: number;
  rows: TimelineRow[];
}

/** The run log of one run as waterfall rows, in start order (the run log's order). */
export function timelineOf(runId: string, events: readonly StudioRunEvent[]): RunTimeline | undefined {
  if (events.length === 0) return undefined;
  const start = Math.min(...events.map((event) => event.startedAt));
  const end = Math.max(...events.map((event) => event.startedAt + (event.durationMs ?? 0)));
  const stageOf = new Map<number, string | undefined>();
  for (const event of events) if (event.operationId !== undefined) stageOf.set(event.operationId, event.stage ?? (event.kind === 'stage' ? event.name : undefined));
  const rows = events.map((event): TimelineRow => {
    const stage = event.stage ?? (event.kind === 'stage' ? event.name : event.parentId !== undefined ? stageOf.get(event.parentId) : undefined);
    return {
      id: event.id,
      kind: event.kind,
      name: event.name,
      depth: event.depth ?? 0,
      offsetMs: event.startedAt - start,
      durationMs: event.durationMs,
      stage,
      iteration: event.iteration,
      operation: event.operation,
      success: event.success,
      errorType: event.errorType,
      errorPath: stage === 'ERROR',
      model: event.model,
      provider: event.provider,
      inputTokens: event.inputTokens,
      outputTokens: event.outputTokens,
      costUsd: event.costUsd,
      metadata: event.metadata,
    };
  });
  const first = events[0]!;
  return { runId, userId: first.userId, conversationId: first.conversationId, startedAt: start, durationMs: end - start, rows };
}
