import { z } from 'zod';
import type { LoggingOptions } from './logging-resource.js';
import { STREAM_TOKEN_FIX, STREAM_TOKEN_PATTERN } from './websocket-output.js';

const level = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
const levelSetting = z.union([level, z.literal('off')]);
const levelTable = z.record(z.string(), levelSetting);

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** A byte count: a number, or text such as `10MB`, `512kb`. */
export const byteSize = z.union([
  z.number().int().positive(),
  z.string().transform((text, context) => {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
    const unit = SIZE_UNITS[(match?.[2] ?? '').toLowerCase() || 'b'];
    if (!match || unit === undefined) {
      context.addIssue({ code: 'custom', message: `"${text}" is not a size; write e.g. 10MB, 512KB or a number of bytes` });
      return z.NEVER;
    }
    return Math.round(Number(match[1]) * unit);
  }),
]);

/** `true` means the defaults and `false` turns the output off; so errors point inside the object. */
const section = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === true ? {} : value === false ? { enabled: false } : value), schema);

const consoleSchema = z
  .object({
    enabled: z.boolean().optional(),
    level: level.optional(),
    pretty: z.boolean().optional(),
    colors: z.union([z.boolean(), z.literal('auto')]).optional(),
    maxQueuedBytes: byteSize.optional(),
    batchDelayMs: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();

const fileSchema = z
  .object({
    enabled: z.boolean().optional(),
    level: level.optional(),
    path: z.string().min(1).optional(),
    maxSizeBytes: byteSize.optional(),
    rotateDaily: z.boolean().optional(),
    maxFiles: z.number().int().positive().optional(),
    maxAgeDays: z.number().positive().optional(),
    maxQueuedBytes: byteSize.optional(),
    batchDelayMs: z.number().int().min(0).max(10_000).optional(),
  })
  .strict();

const streamSchema = z
  .object({
    enabled: z.boolean().optional(),
    level: level.optional(),
    host: z.string().min(1).optional(),
    port: z.number().int().min(0).max(65_535).optional(),
    path: z.string().startsWith('/').optional(),
    maxClients: z.number().int().positive().optional(),
    maxBufferedBytes: byteSize.optional(),
    token: z.string().regex(STREAM_TOKEN_PATTERN, `holds characters a browser cannot send as a WebSocket subprotocol; ${STREAM_TOKEN_FIX}`).optional(),
    allowedOrigins: z.array(z.string().url()).optional(),
    history: z.number().int().min(0).optional(),
  })
  .strict();

const operationLevels = z
  .object({ run: levelSetting, stage: levelSetting, plugin: levelSetting, tool: levelSetting, resource: levelSetting })
  .partial()
  .strict();

/** The `logging` block of an agent's YAML (without `type`). Unknown keys are rejected. */
export const loggingConfigSchema = z
  .object({
    level: levelSetting.optional(),
    filters: z
      .object({ components: levelTable, resources: levelTable, plugins: levelTable, tools: levelTable })
      .partial()
      .strict()
      .optional(),
    redact: z
      .object({
        paths: z.array(z.string().min(1)).optional(),
        keys: z.array(z.string()).optional(),
        patterns: z.boolean().optional(),
        censor: z.string().optional(),
      })
      .strict()
      .optional(),
    console: section(consoleSchema).optional(),
    file: section(fileSchema).optional(),
    stream: section(streamSchema).optional(),
    hostname: z.boolean().optional(),
    pid: z.boolean().optional(),
    base: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    operations: z.object({ success: operationLevels, failure: operationLevels }).partial().strict().optional(),
    flushTimeoutMs: z.number().int().positive().optional(),
  })
  .strict();

export type LoggingConfig = z.output<typeof loggingConfigSchema>;

// The YAML shape is a subset of the code options; this fails to compile if they drift apart.
const _configIsOptions = (config: LoggingConfig): LoggingOptions => config;
void _configIsOptions;
