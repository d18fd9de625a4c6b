import { type ChatMessage, type JsonValue, ValidationError } from '@entity/core';
import { z } from 'zod';

/** Longest user id, key, conversation id or document id accepted, in characters. */
export const MAX_IDENTIFIER_LENGTH = 512;

/** A non-empty identifier without NUL characters (PostgreSQL text cannot hold them). */
export function requireIdentifier(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(`${what} must be a non-empty string`);
  if (value.length > MAX_IDENTIFIER_LENGTH) throw new ValidationError(`${what} is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  if (value.includes('\u0000')) throw new ValidationError(`${what} must not contain NUL characters`);
  return value;
}

function checkJson(value: unknown, path: string, depth: number): void {
  if (depth > 64) throw new ValidationError(`${path} is nested more than 64 levels deep`);
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new ValidationError(`${path} contains a NUL character, which cannot be stored`);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${path} is ${value}, which JSON cannot represent`);
    return;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) checkJson(item, `${path}[${index}]`, depth + 1);
    return;
  }
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype === Object.prototype || prototype === null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) throw new ValidationError(`${path} has a key with a NUL character`);
        // JSON drops undefined properties, so `{ toolCalls: undefined }` is fine.
        if (item !== undefined) checkJson(item, `${path}.${key}`, depth + 1);
      }
      return;
    }
  }
  throw new ValidationError(`${path} is not a JSON value (got ${value === undefined ? 'undefined' : typeof value})`);
}

/** Throws a ValidationError unless `value` survives JSON and PostgreSQL's jsonb unchanged. */
export function requireJson(value: unknown, what: string): JsonValue {
  checkJson(value, what, 0);
  return value as JsonValue;
}

const text = z.string().refine((value) => !value.includes('\u0000'), 'must not contain NUL characters');
const toolCall = z.object({ id: z.string(), name: z.string(), arguments: z.unknown() });
const chatMessage = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content: text }),
  z.object({ role: z.literal('user'), content: text }),
  z.object({ role: z.literal('assistant'), content: text, toolCalls: z.array(toolCall).optional() }),
  z.object({ role: z.literal('tool'), content: text, toolCallId: z.string(), name: z.string(), isError: z.boolean().optional() }),
]);

/** Checks the shape of messages before anything is written; the stored JSON is the message as given. */
export function requireMessages(messages: unknown): readonly ChatMessage[] {
  if (!Array.isArray(messages)) throw new ValidationError('messages must be an array');
  messages.forEach((message, index) => {
    const parsed = chatMessage.safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `.${issue.path.join('.')}` : '';
      throw new ValidationError(`messages[${index}]${where}: ${issue?.message ?? 'is not a chat message'}`);
    }
    requireJson(message, `messages[${index}]`);
  });
  return messages as ChatMessage[];
}

/** A positive integer up to `max`, or the default when undefined. */
export function requireCount(value: unknown, what: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`${what} must be an integer between 0 and ${max}`);
  }
  return value;
}
