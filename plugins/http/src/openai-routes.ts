import { randomUUID } from 'node:crypto';
import type { ChatOptions, Usage } from '@entity/core';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { requireRole, resolveUserId } from './authorization.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { DEFAULT_MAX_MESSAGE_CHARS } from './http-options.js';
import { idempotentRunner, refuseIdempotencyKeyOnStream } from './idempotency.js';
import { type ChatCompletionRequest, chatCompletionSchema, textOf } from './openai-schemas.js';
import { ID_SCHEMA, readHeader, readJsonBody, readQuery } from './request-validation.js';
import { type RunCancellation, runCancellation } from './run-cancellation.js';
import { httpErrorOfRun, safeRunError } from './run-errors.js';
import { StreamedAnswer } from './streamed-answer.js';

/** Headers that choose whose conversation an OpenAI-style request continues. */
export const USER_HEADER = 'x-entity-user-id';
export const CONVERSATION_HEADER = 'x-entity-conversation-id';

function usageOf(usage: Usage) {
  return { prompt_tokens: usage.inputTokens, completion_tokens: usage.outputTokens, total_tokens: usage.totalTokens };
}

/**
 * The turn an OpenAI-style request asks for. The agent keeps its own history, so only the last
 * (user) message is the turn's message; earlier messages are validated and not replayed. The user
 * is `x-entity-user-id` or the `user` field (they must agree); the conversation is
 * `x-entity-conversation-id`, else the agent's `default` conversation of that user.
 */
function turnOf(context: Context<HandlerEnvironment>, body: ChatCompletionRequest) {
  const headerUser = readHeader(context, USER_HEADER, ID_SCHEMA);
  const conversationId = readHeader(context, CONVERSATION_HEADER, ID_SCHEMA);
  let fieldUser: string | undefined;
  if (body.user !== undefined) {
    const parsed = ID_SCHEMA.safeParse(body.user);
    if (!parsed.success) throw new HttpApiError(400, 'validation_failed', 'Invalid request body: user: use 1-200 letters, digits or . _ @ : + -', { param: 'user' });
    fieldUser = parsed.data;
  }
  if (headerUser !== undefined && fieldUser !== undefined && headerUser !== fieldUser) {
    throw new HttpApiError(400, 'validation_failed', `The ${USER_HEADER} header ("${headerUser}") and the user field ("${fieldUser}") name different users`, { param: 'user' });
  }
  const last = body.messages.at(-1) as { content: Parameters<typeof textOf>[0] };
  return { message: textOf(last.content)!, requestedUser: headerUser ?? fieldUser, conversationId };
}

/** `POST /v1/chat/completions` and `GET /v1/models`: the agent as an OpenAI model. */
export function registerOpenAIRoutes(app: Hono<HandlerEnvironment>, state: HandlerState): void {
  const modelId = state.options.modelId ?? state.agent.name;
  const created = Math.floor(Date.now() / 1000);
  const model = { id: modelId, object: 'model', created, owned_by: 'entity' } as const;
  const schema = chatCompletionSchema(state.options.limits?.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS);
  const idempotent = idempotentRunner(state);

  app.get('/v1/models', (context) => {
    readQuery(context);
    return context.json({ object: 'list', data: [model] });
  });
  app.get('/v1/models/:id', (context) => {
    readQuery(context);
    if (context.req.param('id') !== modelId) throw new HttpApiError(404, 'model_not_found', `The model "${context.req.param('id')}" does not exist; this server serves "${modelId}"`);
    return context.json(model);
  });

  app.post('/v1/chat/completions', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'user', 'chat');
    readQuery(context);
    const body = await readJsonBody(context, schema);
    if (body.model !== modelId) {
      throw new HttpApiError(404, 'model_not_found', `The model "${body.model}" does not exist; this server serves "${modelId}"`, { param: 'model' });
    }
    const turn = turnOf(context, body);
    const userId = resolveUserId(principal, turn.requestedUser);
    const format = body.response_format?.type === 'json_schema' ? body.response_format.json_schema : undefined;
    const chatOptions = (run: RunCancellation): ChatOptions => ({
      userId,
      signal: run.signal,
      correlationId: context.get('requestId'),
      ...(turn.conversationId ? { conversationId: turn.conversationId } : {}),
      ...(state.options.limits?.runTimeoutMs ? { timeoutMs: state.options.limits.runTimeoutMs } : {}),
      ...(format ? { output: format.schema, outputName: format.name } : {}),
    });
    const id = `chatcmpl-${randomUUID()}`;
    const createdAt = Math.floor(Date.now() / 1000);
    if (body.stream) {
      refuseIdempotencyKeyOnStream(context);
      const run = runCancellation(state, context.req.raw);
      return streamCompletion(context, state, { id, created: createdAt, model: modelId, includeUsage: body.stream_options?.include_usage === true }, turn.message, chatOptions(run), run);
    }
    return idempotent(context, { userId, conversationId: turn.conversationId }, async () => {
      const run = runCancellation(state, context.req.raw);
      try {
        const result = await state.agent.chat(turn.message, chatOptions(run));
        // A structured answer that failed is a refusal, as OpenAI reports one: no content to parse, the reason in `refusal`.
        const refused = format !== undefined && result.status === 'failed';
        return context.json({
          id,
          object: 'chat.completion',
          created: createdAt,
          model: modelId,
          choices: [{ index: 0, message: { role: 'assistant', content: refused ? null : result.text, refusal: refused ? result.text : null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
          usage: usageOf(result.info.usage),
          system_fingerprint: null,
        });
      } catch (error) {
        throw httpErrorOfRun(error, state, run.signal);
      } finally {
        run.release();
      }
    });
  });
}

interface CompletionStream {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
}

/**
 * OpenAI's chunk stream: a role chunk, content deltas, a chunk with `finish_reason`, then (when
 * asked) a usage chunk with empty `choices`, then `data: [DONE]`. With `include_usage`, every
 * other chunk carries `usage: null`, as OpenAI's do.
 */
function streamCompletion(context: Context, state: HandlerState, stream: CompletionStream, message: string, options: ChatOptions, run: RunCancellation): Response {
  context.header('x-accel-buffering', 'no');
  const chunk = (choices: unknown[], usage?: unknown) =>
    JSON.stringify({
      id: stream.id,
      object: 'chat.completion.chunk',
      created: stream.created,
      model: stream.model,
      system_fingerprint: null,
      choices,
      ...(stream.includeUsage ? { usage: usage ?? null } : {}),
    });
  const delta = (content: Record<string, unknown>, finishReason: string | null = null) => ({ index: 0, delta: content, logprobs: null, finish_reason: finishReason });
  return streamSSE(context, async (sse) => {
    let clientGone = false;
    sse.onAbort(() => {
      clientGone = true;
      run.cancel('the HTTP client closed the stream');
    });
    const answer = new StreamedAnswer();
    let failed = false;
    try {
      await sse.writeSSE({ data: chunk([delta({ role: 'assistant', content: '', refusal: null })]) });
      for await (const event of state.agent.stream(message, options)) {
        if (event.type === 'error') failed = true;
        // With a JSON Schema, a failed run's apology is a refusal: the content must stay parseable JSON.
        if (options.output && failed && event.type === 'response') {
          await sse.writeSSE({ data: chunk([delta({ refusal: event.text })]) });
          continue;
        }
        const text = answer.next(event);
        if (text !== undefined) await sse.writeSSE({ data: chunk([delta({ content: text })]) });
        if (event.type === 'done') {
          await sse.writeSSE({ data: chunk([delta({}, 'stop')]) });
          if (stream.includeUsage) await sse.writeSSE({ data: chunk([], usageOf(event.result.info.usage)) });
        }
      }
      await sse.writeSSE({ data: '[DONE]' });
    } catch (error) {
      if (clientGone || context.req.raw.signal.aborted) return;
      if (!run.signal.aborted) state.logger.error(`chat completion stream failed: ${(error as Error)?.message ?? String(error)}`, { component: 'http' });
      const safe = safeRunError(error);
      // OpenAI reports a failure inside a stream as an `error` object; its SDKs raise it.
      await sse.writeSSE({ data: JSON.stringify({ error: { message: safe.message, type: 'server_error', code: safe.errorType, param: null } }) });
    } finally {
      run.release();
    }
  });
}
