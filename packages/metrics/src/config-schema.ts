import { z } from 'zod';
import type { MetricsOptions } from './metrics-resource.js';

const tracingSchema = z
  .object({
    endpoint: z.url().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    serviceName: z.string().min(1).optional(),
    exportDelayMs: z.number().int().positive().optional(),
    useGlobalTracerProvider: z.boolean().optional(),
    agentName: z.string().min(1).optional(),
    includeUserId: z.boolean().optional(),
    maxOpenSpans: z.number().int().positive().optional(),
  })
  .strict();

/** The `metrics` block of an agent's YAML (without `type`). Unknown keys are rejected. */
export const metricsConfigSchema = z
  .object({
    memory: z.string().min(1).optional(),
    inMemoryOnly: z.boolean().optional(),
    retentionDays: z.number().positive().optional(),
    maxMemoryEvents: z.number().int().positive().optional(),
    flushIntervalMs: z.number().int().min(10).optional(),
    batchSize: z.number().int().positive().max(10_000).optional(),
    maxBufferedEvents: z.number().int().positive().optional(),
    writeTimeoutMs: z.number().int().min(100).optional(),
    stages: z.boolean().optional(),
    durationBuckets: z
      .array(z.number().positive())
      .min(1)
      .refine((buckets) => buckets.every((bound, index) => index === 0 || bound > buckets[index - 1]!), 'buckets must increase')
      .optional(),
    maxSeriesPerMetric: z.number().int().positive().optional(),
    maxCustomMetrics: z.number().int().positive().optional(),
    tracing: z.union([z.literal(false), tracingSchema]).optional(),
  })
  .strict();

export type MetricsConfig = z.output<typeof metricsConfigSchema>;

// The YAML shape is a subset of the code options; this fails to compile if they drift apart.
const _configIsOptions = (config: MetricsConfig): MetricsOptions => config;
void _configIsOptions;
