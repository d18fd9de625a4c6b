import type { ChatOptions } from '@entity/core';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { requireRole, resolveUserId } from './authorization.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { idempotentRunner, refuseIdempotencyKeyOnStream } from './idempotency.js';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_MESSAGE_CHARS } from './http-options.js';
import { publicChatResult, publicEvent } from './public-run-info.js';
import { ID_SCHEMA, readJsonBody, readQuery } from './request-validation.js';
import { type RunCancellation, runCancellation } from './run-cancellation.js';
import { httpErrorOfRun, safeRunError } from './run-errors.js';
import { sseFrame } from './sse-frame.js';
import { OUTPUT_JSON_SCHEMA, OUTPUT_NAME } from './output-schema.js';

const METADATA_SCHEMA = z
  .record(z.string().min(1).max(100), z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]))
  .refine((value) => Object.keys(value).length <= 32, 'at most 32 entries');

/** Body of `POST /v1/chat`. */
export function nativeChatSchema(maxMessageChars: number) {
  return z.strictObject({
    message: z.string().min(1, 'must not be empty').max(maxMessageChars),
    userId: ID_SCHEMA.optional(),
    conversationId: ID_SCHEMA.optional(),
    metadata: METADATA_SCHEMA.optional(),
    output: OUTPUT_JSON_SCHEMA.optional(),
    outputName: OUTPUT_NAME.optional(),
  }).refine((body) => body.outputName === undefined || body.output !== undefined, { path: ['outputName'], message: 'outputName needs output (the JSON Schema of the answer)' });
}

export function wantsEventStream(context: Context): boolean {
  return (context.req.header('accept') ?? '').includes('text/event-stream');
}

/** `POST /v1/chat`: one turn, answered as JSON, or as the run's events over SSE. */
export function registerNativeChat(app: Hono<HandlerEnvironment>, state: HandlerState): void {
  const schema = nativeChatSchema(state.options.limits?.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS);
  const idempotent = idempotentRunner(state);
  app.post('/v1/chat', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'user', 'chat');
    readQuery(context);
    const body = await readJsonBody(context, schema);
    const userId = resolveUserId(principal, body.userId);
    const chatOptions = (run: RunCancellation): ChatOptions => ({
      userId,
      signal: run.signal,
      correlationId: context.get('requestId'),
      ...(body.conversationId ? { conversationId: body.conversationId } : {}),
      ...(state.options.limits?.runTimeoutMs ? { timeoutMs: state.options.limits.runTimeoutMs } : {}),
      ...(body.output ? { output: body.output, ...(body.outputName ? { outputName: body.outputName } : {}) } : {}),
    });
    if (body.metadata) state.logger.debug('chat request metadata', { component: 'http', userId, metadata: body.metadata });
    if (wantsEventStream(context)) {
      refuseIdempotencyKeyOnStream(context);
      const run = runCancellation(state, context.req.raw);
      return streamRunEvents(context, state, body.message, chatOptions(run), run);
    }
    return idempotent(context, { userId, conversationId: body.conversationId }, async () => {
      const run = runCancellation(state, context.req.raw);
      try {
        return context.json(publicChatResult(await state.agent.chat(body.message, chatOptions(run))));
      } catch (error) {
        throw httpErrorOfRun(error, state, run.signal);
      } finally {
        run.release();
      }
    });
  });
}

/**
 * Streams `agent.stream()` as SSE: each event's type as `event:`, a sequence number as `id:`,
 * the event (made safe) as JSON `data:`, and `: heartbeat` comments while the run is quiet.
 * A client that goes away aborts the run.
 */
export function streamRunEvents(context: Context, state: HandlerState, message: string, options: ChatOptions, run: RunCancellation): Response {
  context.header('x-accel-buffering', 'no');
  return streamSSE(context, async (stream) => {
    let clientGone = false;
    stream.onAbort(() => {
      clientGone = true;
      run.cancel('the HTTP client closed the stream');
    });
    const heartbeat = setInterval(() => void stream.write(': heartbeat\n\n'), state.options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    let sequence = 0;
    try {
      for await (const event of state.agent.stream(message, options)) {
        await stream.write(sseFrame({ id: String(++sequence), event: event.type, data: JSON.stringify(publicEvent(event)) }));
      }
    } catch (error) {
      // A client that left gets nothing more; anyone still listening learns why the run ended.
      if (clientGone || context.req.raw.signal.aborted) return;
      if (!run.signal.aborted) state.logger.error(`chat stream failed: ${(error as Error)?.message ?? String(error)}`, { component: 'http' });
      await stream.write(sseFrame({ id: String(++sequence), event: 'error', data: JSON.stringify({ type: 'error', ...safeRunError(error) }) }));
    } finally {
      clearInterval(heartbeat);
      run.release();
    }
  });
}
