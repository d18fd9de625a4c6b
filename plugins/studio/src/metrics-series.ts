import type { StudioRunEvent } from './studio-types.js';

/** One time bucket of the charts. */
export interface MetricsBucket {
  /** Bucket start, epoch ms. */
  from: number;
  turns: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

const percentile = (sorted: readonly number[], fraction: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;

/** Turns, failures, latency percentiles, tokens and cost per bucket of [from, to). */
export function bucketize(events: readonly StudioRunEvent[], from: number, to: number, count: number): MetricsBucket[] {
  const width = (to - from) / count;
  const durations: number[][] = Array.from({ length: count }, () => []);
  const buckets: MetricsBucket[] = Array.from({ length: count }, (_, index) => ({
    from: Math.round(from + index * width),
    turns: 0,
    errors: 0,
    p50Ms: 0,
    p95Ms: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  }));
  for (const event of events) {
    const index = Math.floor((event.startedAt - from) / width);
    const bucket = buckets[index];
    if (!bucket) continue;
    if (event.kind === 'run') {
      bucket.turns++;
      if (event.success === false) bucket.errors++;
      if (event.durationMs !== undefined) durations[index]!.push(event.durationMs);
    }
    // Counted on the model call (a resource operation) only: the plugin that made it repeats the figures.
    if (event.kind !== 'resource') continue;
    bucket.inputTokens += event.inputTokens ?? 0;
    bucket.outputTokens += event.outputTokens ?? 0;
    bucket.costUsd += event.costUsd ?? 0;
  }
  for (const [index, bucket] of buckets.entries()) {
    const sorted = durations[index]!.sort((a, b) => a - b);
    bucket.p50Ms = percentile(sorted, 0.5);
    bucket.p95Ms = percentile(sorted, 0.95);
  }
  return buckets;
}
