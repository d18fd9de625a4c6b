import { z } from 'zod';
import { StudioApiError } from './studio-responses.js';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/** Ids as the serving layer accepts them: printable, no spaces or slashes. */
const ID = z.string().regex(/^[A-Za-z0-9._:@-]{1,200}$/, 'must be 1-200 letters, digits or . _ : @ -');
const number = (min: number, max: number) => z.coerce.number().refine(Number.isFinite, 'must be a number').pipe(z.number().min(min).max(max));
const time = z
  .string()
  .transform((text, context) => {
    const date = /^\d+$/.test(text) ? new Date(Number(text)) : new Date(text);
    if (Number.isNaN(date.getTime())) {
      context.addIssue({ code: 'custom', message: 'must be an ISO date or epoch milliseconds' });
      return z.NEVER;
    }
    return date;
  });

/** `GET …/runs`: a time window and filters on what each run cost. */
export const runsQuery = z.strictObject({
  /** Window start; default: `hours` before `to`. */
  from: time.optional(),
  /** Window end; default: now. */
  to: time.optional(),
  hours: number(0.01, 24 * 31).default(24),
  userId: ID.optional(),
  status: z.enum(['ok', 'error', 'running']).optional(),
  minDurationMs: number(0, 1e9).optional(),
  maxDurationMs: number(0, 1e9).optional(),
  minTokens: number(0, 1e12).optional(),
  minCostUsd: number(0, 1e9).optional(),
  limit: number(1, 500).default(100),
});

/** `GET …/metrics`: a window split into buckets. */
export const metricsQuery = z.strictObject({
  hours: number(0.01, 24 * 31).default(24),
  buckets: number(1, 200).default(24).transform(Math.floor),
  userId: ID.optional(),
});

/** `GET …/logs`: what the live log sends. */
export const logsQuery = z.strictObject({
  level: z.enum(LEVELS).default('info'),
  /** Matches the entry's component, plugin, tool or resource field. */
  component: z.string().regex(/^[A-Za-z0-9._:@/-]{1,100}$/, 'must be 1-100 letters, digits or . _ : @ / -').optional(),
  runId: ID.optional(),
});

export const runIdSchema = ID;

/** Parses the query string with `schema`: repeated or unknown parameters are a 400 naming them. */
export function readQuery<T extends z.ZodType>(url: URL, schema: T): z.output<T> {
  // No prototype: `constructor` or `__proto__` is an unknown parameter, not one "given twice".
  const values: Record<string, string> = Object.create(null);
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(values, key)) throw new StudioApiError(400, 'invalid_query', `query parameter "${key}" is given twice; give it once`);
    values[key] = value;
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length > 0 ? `query parameter "${issue.path.join('.')}"` : 'the query';
  const message = issue.code === 'unrecognized_keys' ? `unknown query parameter ${issue.keys.map((key) => `"${key}"`).join(', ')}` : `${where} ${issue.message}`;
  throw new StudioApiError(400, 'invalid_query', message);
}

export const LEVEL_VALUES: Record<(typeof LEVELS)[number], number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
