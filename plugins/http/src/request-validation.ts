import type { Context } from 'hono';
import { z } from 'zod';
import { HttpApiError } from './http-errors.js';

/** Ids the agent accepts for users and conversations (the same rule as `agent.chat`). */
export const ID_SCHEMA = z
  .string()
  .regex(/^[\w.@:+-]{1,200}$/, 'use 1-200 letters, digits or . _ @ : + -');

/** One line per problem, each naming where it is: `message: Too big: ...; userId: ...`. */
export function describeIssues(error: z.ZodError, prefix = ''): string {
  return error.issues
    .map((issue) => {
      const path = [prefix, ...issue.path.map(String)].filter((part) => part !== '').join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

function firstPath(error: z.ZodError, prefix: string): string | undefined {
  const path = error.issues[0]?.path.map(String).join('.');
  return path ? path : prefix || undefined;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: string, prefix = ''): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const param = firstPath(parsed.error, prefix);
  throw new HttpApiError(400, 'validation_failed', `Invalid ${where}: ${describeIssues(parsed.error, prefix)}`, param ? { param } : {});
}

/**
 * Reads a JSON body and validates it. Not JSON, malformed JSON and any schema violation are 400s
 * (415 for another content type) whose message says what is wrong; nothing reaches the agent.
 */
export async function readJsonBody<T>(context: Context, schema: z.ZodType<T>): Promise<T> {
  const contentType = context.req.header('content-type') ?? '';
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpApiError(415, 'unsupported_media_type', 'Send the body as JSON with "Content-Type: application/json"');
  }
  const text = await context.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new HttpApiError(400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
  return parseOrThrow(schema, value, 'request body');
}

const NO_QUERY = z.object({}).strict();

/** Validates the query string; routes without parameters reject any. */
export function readQuery<T>(context: Context, schema: z.ZodType<T> = NO_QUERY as unknown as z.ZodType<T>): T {
  return parseOrThrow(schema, context.req.query(), 'query string', '');
}

/** Validates one optional header, e.g. `x-entity-user-id`. */
export function readHeader<T>(context: Context, name: string, schema: z.ZodType<T>): T | undefined {
  const value = context.req.header(name);
  if (value === undefined) return undefined;
  return parseOrThrow(schema, value, `header ${name}`, name);
}
