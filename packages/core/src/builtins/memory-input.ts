import { z } from 'zod';
import type { JsonValue } from '../contracts/json.js';
import type { ConversationRef } from '../contracts/memory.js';
import type { ChatMessage } from '../contracts/message.js';
import { ValidationError } from '../errors/error-kinds.js';

// The input rules of the Memory contract, as the SQL memories of @entity/resources-memory
// enforce them (and the shared conformance suite checks): the fallback memory accepts exactly
// what a database-backed one accepts, so code tested against it keeps working on PostgreSQL.

/** Longest user id, key or conversation id accepted, in characters. */
export const MAX_IDENTIFIER_LENGTH = 512;
const MAX_JSON_DEPTH = 64;

/** A non-empty identifier without NUL characters (PostgreSQL text cannot hold them). */
export function requireIdentifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(`${what} must be a non-empty string`);
  if (value.length > MAX_IDENTIFIER_LENGTH) throw new ValidationError(`${what} is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  if (value.includes('\u0000')) throw new ValidationError(`${what} must not contain NUL characters`);
  return value;
}

export function requireConversationRef(ref: unknown): ConversationRef {
  if (typeof ref !== 'object' || ref === null) throw new ValidationError('A conversation reference { userId, conversationId } is required');
  const { userId, conversationId } = ref as Partial<ConversationRef>;
  requireIdentifier(userId, 'userId');
  requireIdentifier(conversationId, 'conversationId');
  return ref as ConversationRef;
}

/**
 * Why `value` is not a JSON value, as `[path below value, what is wrong]`, or undefined when it is.
 * The path is only put together for a problem: every turn stores its messages, and building a
 * path string for every value checked cost more than the check.
 */
function jsonProblem(value: unknown, depth: number, allowNul: boolean): [path: string, problem: string] | undefined {
  if (depth > MAX_JSON_DEPTH) return ['', `is nested more than ${MAX_JSON_DEPTH} levels deep`];
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'string') return !allowNul && value.includes('\u0000') ? ['', 'contains a NUL character, which cannot be stored'] : undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : ['', `is ${value}, which JSON cannot represent`];
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const problem = jsonProblem(value[index], depth + 1, allowNul);
      if (problem) return [`[${index}]${problem[0]}`, problem[1]];
    }
    return undefined;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      for (const key of Object.keys(value)) {
        if (!allowNul && key.includes('\u0000')) return ['', 'has a key with a NUL character'];
        const item = (value as Record<string, unknown>)[key];
        // JSON drops undefined properties, so `{ toolCalls: undefined }` is fine.
        if (item === undefined) continue;
        const problem = jsonProblem(item, depth + 1, allowNul);
        if (problem) return [`.${key}${problem[0]}`, problem[1]];
      }
      return undefined;
    }
  }
  return ['', `is not a JSON value (got ${value === undefined ? 'undefined' : typeof value})`];
}

function checkJson(value: unknown, path: string, allowNul = false): void {
  const problem = jsonProblem(value, 0, allowNul);
  if (problem) throw new ValidationError(`${path}${problem[0]} ${problem[1]}`);
}

/**
 * A deep copy of a value `requireJson` accepted: plain objects and arrays are copied, the rest is
 * immutable. Several times cheaper than `structuredClone`, which serialises.
 */
export function copyJson<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = copyJson((value as Record<string, unknown>)[key]);
  return copy as T;
}

/**
 * Throws a ValidationError unless `value` survives JSON unchanged. NUL characters are refused
 * too, since Postgres cannot store them; `allowNul` accepts them for values that are only sent
 * as JSON, never stored (run annotations).
 */
export function requireJson(value: unknown, what: string, options: { allowNul?: boolean } = {}): JsonValue {
  checkJson(value, what, options.allowNul ?? false);
  return value as JsonValue;
}

/** The message schema, built on the first malformed message: valid ones never need it (see below). */
let chatMessageSchema: z.ZodType | undefined;
function chatMessage(): z.ZodType {
  if (chatMessageSchema) return chatMessageSchema;
  const text = z.string().refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
  const toolCall = z.object({ id: z.string(), name: z.string(), arguments: z.unknown() });
  chatMessageSchema = z.discriminatedUnion('role', [
    z.object({ role: z.literal('system'), content: text }),
    z.object({ role: z.literal('user'), content: text }),
    z.object({ role: z.literal('assistant'), content: text, toolCalls: z.array(toolCall).optional() }),
    z.object({ role: z.literal('tool'), content: text, toolCallId: z.string(), name: z.string(), isError: z.boolean().optional() }),
  ]);
  return chatMessageSchema;
}

const isText = (value: unknown): boolean => typeof value === 'string' && !value.includes('\u0000');

/**
 * The message schema, by hand, for the common case of a valid message: every turn stores its
 * messages, and zod's parse costs more than the rest of the in-process memory. Anything this does
 * not accept goes through the schema, which says what is wrong.
 */
function isWellFormedMessage(message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const { role, content } = message as { role?: unknown; content?: unknown };
  if (!isText(content)) return false;
  if (role === 'user' || role === 'system') return true;
  if (role === 'assistant') {
    const { toolCalls } = message as { toolCalls?: unknown };
    if (toolCalls === undefined) return true;
    return Array.isArray(toolCalls) && toolCalls.every((call: unknown) => typeof call === 'object' && call !== null && typeof (call as { id?: unknown }).id === 'string' && typeof (call as { name?: unknown }).name === 'string');
  }
  if (role === 'tool') {
    const { toolCallId, name, isError } = message as { toolCallId?: unknown; name?: unknown; isError?: unknown };
    return typeof toolCallId === 'string' && typeof name === 'string' && (isError === undefined || typeof isError === 'boolean');
  }
  return false;
}

/** Checks every message before anything is stored, so a bad batch writes nothing. */
export function requireMessages(messages: unknown): readonly ChatMessage[] {
  if (!Array.isArray(messages)) throw new ValidationError('messages must be an array');
  messages.forEach((message, index) => {
    const parsed = isWellFormedMessage(message) ? { success: true as const } : chatMessage().safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `.${issue.path.join('.')}` : '';
      throw new ValidationError(`messages[${index}]${where}: ${issue?.message ?? 'is not a chat message'}`);
    }
    requireJson(message, `messages[${index}]`);
  });
  return messages as ChatMessage[];
}

/** `undefined`, or an integer from 0 up to `max`. */
export function requireOptionalCount(value: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`${what} must be an integer between 0 and ${max}`);
  }
  return value;
}
