import type { MetricEvent } from './metric-event.js';

/** One event of a run log, with its depth in the operation tree (run 0, stage 1, plugin 2...). */
export type RunLogEntry = MetricEvent & { depth: number };

/** Assigns tree depths from parent ids; events whose parent is not in the list start at 0. */
export function withDepths(events: MetricEvent[]): RunLogEntry[] {
  const depths = new Map<number, number>();
  const parents = new Map<number, number | undefined>();
  for (const event of events) if (event.operationId !== undefined) parents.set(event.operationId, event.parentId);
  const depthOf = (id: number, guard = 0): number => {
    const known = depths.get(id);
    if (known !== undefined) return known;
    const parent = parents.get(id);
    const depth = parent === undefined || !parents.has(parent) || guard > 64 ? 0 : depthOf(parent, guard + 1) + 1;
    depths.set(id, depth);
    return depth;
  };
  return events.map((event) => ({
    ...event,
    depth: event.operationId !== undefined ? depthOf(event.operationId) : event.parentId !== undefined && parents.has(event.parentId) ? depthOf(event.parentId) + 1 : 0,
  }));
}
