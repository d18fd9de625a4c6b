import type { ChatOptions } from '@entity/core';
import type { Context, Hono } from 'hono';
import { stream as streamBody } from 'hono/streaming';
import { z } from 'zod';
import { requireRole, resolveUserId } from './authorization.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_MESSAGE_CHARS } from './http-options.js';
import { refuseIdempotencyKeyOnStream } from './idempotency.js';
import { ID_SCHEMA, readJsonBody, readQuery } from './request-validation.js';
import { type RunCancellation, runCancellation } from './run-cancellation.js';
import { safeRunError } from './run-errors.js';
import { type UIMessageChunk, UIMessageStreamWriter } from './ui-message-stream.js';

/** Where `useChat`'s transport posts: `new DefaultChatTransport({ api: `${baseUrl}/v1/ui/chat` })`. */
export const UI_CHAT_PATH = '/v1/ui/chat';

/** Headers of a UI message stream response, as the `ai` package sends them. */
export const UI_MESSAGE_STREAM_HEADERS = {
  'content-type': 'text/event-stream',
  'x-vercel-ai-ui-message-stream': 'v1',
  'x-accel-buffering': 'no',
} as const;

// Messages are the AI SDK's format, not ours: parts are checked as far as this server reads them,
// and fields a newer `ai` version adds to a message do not break old servers.
const UI_MESSAGE_PART = z.looseObject({ type: z.string().min(1).max(200) });
const UI_MESSAGE = z.looseObject({
  id: z.string().max(200),
  role: z.enum(['system', 'user', 'assistant']),
  parts: z.array(UI_MESSAGE_PART).max(1_000),
  metadata: z.unknown().optional(),
});

/** Body `DefaultChatTransport` sends by default, plus an optional `userId` (send it with the transport's `body` option). */
export function uiChatSchema(maxMessageChars: number) {
  return z
    .strictObject({
      id: ID_SCHEMA.describe("The chat's id: the agent continues the conversation with this id."),
      messages: z.array(UI_MESSAGE).min(1, 'must hold at least the new user message').max(10_000),
      trigger: z.enum(['submit-message', 'regenerate-message']),
      messageId: z.string().max(200).optional(),
      userId: ID_SCHEMA.optional(),
    })
    .superRefine((body, context) => {
      // Refinements run even when the array check failed: an empty list is reported there.
      const last = body.messages.at(-1);
      if (!last) return;
      const path = ['messages', body.messages.length - 1];
      if (last.role !== 'user') {
        context.addIssue({ code: 'custom', path: [...path, 'role'], message: "the last message must be the user's new message" });
        return;
      }
      const other = last.parts.find((part) => part.type !== 'text');
      if (other) {
        context.addIssue({ code: 'custom', path: [...path, 'parts'], message: `only text parts can be sent to this agent, not "${other.type}"` });
        return;
      }
      const text = textOf(last.parts);
      if (text === undefined) context.addIssue({ code: 'custom', path: [...path, 'parts'], message: 'a text part needs a string "text"' });
      else if (text.trim() === '') context.addIssue({ code: 'custom', path: [...path, 'parts'], message: 'the message has no text' });
      else if (text.length > maxMessageChars) context.addIssue({ code: 'custom', path: [...path, 'parts'], message: `the text is longer than ${maxMessageChars} characters` });
    });
}

function textOf(parts: readonly { type: string; text?: unknown }[]): string | undefined {
  const texts = parts.filter((part) => part.type === 'text').map((part) => part.text);
  if (texts.some((text) => typeof text !== 'string')) return undefined;
  return texts.join('\n');
}

/**
 * `POST /v1/ui/chat`: the AI SDK's UI message stream, so `useChat` from `@ai-sdk/react` talks to
 * the agent unchanged. The chat's `id` is the conversation; the agent keeps the history, so only
 * the last (user) message is the turn and earlier ones are not replayed. `regenerate-message` is
 * refused: memory is append-only, so the agent cannot take an answer back.
 */
export function registerUiChatRoute(app: Hono<HandlerEnvironment>, state: HandlerState): void {
  const schema = uiChatSchema(state.options.limits?.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS);
  app.post(UI_CHAT_PATH, async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'user', 'chat');
    readQuery(context);
    refuseIdempotencyKeyOnStream(context);
    const body = await readJsonBody(context, schema);
    if (body.trigger === 'regenerate-message') {
      throw new HttpApiError(400, 'unsupported_trigger', 'This agent keeps the conversation in its memory and cannot regenerate an answer; send a new message instead', { param: 'trigger' });
    }
    const userId = resolveUserId(principal, body.userId);
    const message = textOf(body.messages.at(-1)!.parts)!;
    const run = runCancellation(state, context.req.raw);
    const options: ChatOptions = {
      userId,
      conversationId: body.id,
      signal: run.signal,
      correlationId: context.get('requestId'),
      ...(state.options.limits?.runTimeoutMs ? { timeoutMs: state.options.limits.runTimeoutMs } : {}),
    };
    return streamUiMessages(context, state, message, options, run);
  });
}

function streamUiMessages(context: Context, state: HandlerState, message: string, options: ChatOptions, run: RunCancellation): Response {
  for (const [name, value] of Object.entries(UI_MESSAGE_STREAM_HEADERS)) context.header(name, value);
  return streamBody(context, async (stream) => {
    let clientGone = false;
    stream.onAbort(() => {
      clientGone = true;
      run.cancel('the HTTP client closed the stream');
    });
    const send = async (chunks: UIMessageChunk[]) => {
      for (const chunk of chunks) await stream.write(`data: ${JSON.stringify(chunk)}\n\n`);
    };
    const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n'), state.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    const writer = new UIMessageStreamWriter();
    try {
      for await (const event of state.agent.stream(message, options)) await send(writer.next(event));
      await stream.write('data: [DONE]\n\n');
    } catch (error) {
      if (clientGone || context.req.raw.signal.aborted) return;
      if (!run.signal.aborted) state.logger.error(`UI message stream failed: ${(error as Error)?.message ?? String(error)}`, { component: 'http' });
      await send(writer.failed(safeRunError(error).message));
      await stream.write('data: [DONE]\n\n');
    } finally {
      clearInterval(heartbeat);
      run.release();
    }
  });
}
