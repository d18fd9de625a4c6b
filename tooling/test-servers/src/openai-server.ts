import type { z } from 'zod';
import { type Exchange, formatPath, type LoopbackServer, retryHeaders, startLoopbackServer } from './loopback-server.js';
import {
  type OpenAIChatRequest,
  type OpenAIMessage,
  openAIChatRequestSchema,
  openAIEmbeddingRequestSchema,
} from './openai-schemas.js';
import {
  deterministicEmbedding,
  estimateTokens,
  providerId,
  type ScriptedError,
  type ScriptedReply,
  serialiseArguments,
  splitEvenly,
  splitIntoDeltas,
} from './scripted-reply.js';

export interface OpenAIServerOptions {
  /** When set, requests must carry `Authorization: Bearer <apiKey>`; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** When set, other model names get 404 `model_not_found`, as the real API does. */
  models?: string[];
  /** Length of embedding vectors. Default: 8 (small on purpose; tests compare vectors). */
  embeddingDimensions?: number;
  /** Reply when nothing is queued. Default: `{ text: 'Hello from the OpenAI test server.' }`. */
  defaultReply?: ScriptedReply;
}

/** OpenAI's `{ error: {...} }` envelope. */
function sendError(exchange: Exchange, status: number, message: string, type: string, extra: { param?: string | null; code?: string | null } = {}, headers: Record<string, string> = {}): void {
  exchange.json(status, { error: { message, type, param: extra.param ?? null, code: extra.code ?? null } }, { 'x-request-id': providerId('req_'), ...headers });
}

function sendScriptedError(exchange: Exchange, error: ScriptedError, model: string): void {
  const defaults: Record<number, [string, string, string | null]> = {
    400: ['Invalid request.', 'invalid_request_error', null],
    401: ['Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'],
    404: [`The model \`${model}\` does not exist or you do not have access to it.`, 'invalid_request_error', 'model_not_found'],
    429: [`Rate limit reached for ${model} on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.`, 'requests', 'rate_limit_exceeded'],
    500: ['The server had an error while processing your request. Sorry about that!', 'server_error', null],
    503: ['The engine is currently overloaded, please try again later.', 'server_error', null],
  };
  const [message, type, code] = defaults[error.status] ?? ['Upstream error.', error.status >= 500 ? 'server_error' : 'invalid_request_error', null];
  sendError(exchange, error.status, error.message ?? message, error.type ?? type, { code }, retryHeaders(error));
}

function rejectInvalid(exchange: Exchange, issues: readonly z.core.$ZodIssue[]): void {
  const issue = issues[0];
  const param = issue ? formatPath(issue.path) : '';
  if (issue?.code === 'unrecognized_keys') {
    sendError(exchange, 400, `Unrecognized request argument supplied: ${issue.keys.join(', ')}`, 'invalid_request_error', { param: null });
    return;
  }
  if (issue?.code === 'invalid_type' && issue.input === undefined) {
    sendError(exchange, 400, `Missing required parameter: '${param}'.`, 'invalid_request_error', { param, code: 'missing_required_parameter' });
    return;
  }
  sendError(exchange, 400, `Invalid '${param}': ${issue?.message ?? 'invalid value'}.`, 'invalid_request_error', { param, code: 'invalid_value' });
}

function contentText(content: OpenAIMessage['content'] | undefined): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => ('text' in part ? part.text : '')).join('');
}

/** Checks the API makes beyond the schema: tool-message pairing, tool_choice, JSON mode rules. */
function semanticProblem(body: OpenAIChatRequest): { message: string; param: string | null } | undefined {
  let openCalls: Set<string> | undefined;
  for (const [index, message] of body.messages.entries()) {
    if (message.role === 'tool') {
      if (!openCalls) {
        return { message: "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.", param: `messages.[${index}].role` };
      }
      openCalls.delete(message.tool_call_id);
      continue;
    }
    if (openCalls && openCalls.size > 0) {
      return {
        message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...openCalls].join(', ')}`,
        param: 'messages',
      };
    }
    openCalls = message.role === 'assistant' && message.tool_calls?.length ? new Set(message.tool_calls.map((call) => call.id)) : undefined;
    if (message.role === 'assistant' && !message.tool_calls?.length && (message.content === undefined || message.content === null)) {
      return { message: `Invalid value for 'content': expected a string, got null.`, param: `messages.[${index}].content` };
    }
  }
  if (openCalls && openCalls.size > 0) {
    return {
      message: `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${[...openCalls].join(', ')}`,
      param: 'messages',
    };
  }
  if (body.tool_choice !== undefined && !body.tools?.length) {
    return { message: "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", param: 'tool_choice' };
  }
  if (typeof body.tool_choice === 'object' && !body.tools?.some((tool) => tool.function.name === (body.tool_choice as { function: { name: string } }).function.name)) {
    return { message: "Invalid value for 'tool_choice': the named function is not among 'tools'.", param: 'tool_choice' };
  }
  if (body.stream_options && !body.stream) {
    return { message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", param: 'stream_options' };
  }
  if (body.response_format?.type === 'json_object' && !body.messages.some((message) => /json/i.test(contentText(message.content)))) {
    return { message: "'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", param: 'messages' };
  }
  if (body.response_format?.type === 'json_schema' && body.response_format.json_schema.strict) {
    const problem = strictSchemaProblem(body.response_format.json_schema.schema ?? {}, []);
    if (problem) return { message: `Invalid schema for response_format '${body.response_format.json_schema.name}': ${problem}`, param: 'response_format' };
  }
  for (const [index, tool] of (body.tools ?? []).entries()) {
    if (tool.function.strict && tool.function.parameters) {
      const problem = strictSchemaProblem(tool.function.parameters, []);
      if (problem) return { message: `Invalid schema for function '${tool.function.name}': ${problem}`, param: `tools[${index}].function.parameters` };
    }
  }
  return undefined;
}

/** Structured Outputs' strict mode: every object closes `additionalProperties` and requires all its keys. */
function strictSchemaProblem(schema: unknown, context: string[]): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const node = schema as Record<string, unknown>;
  const where = `In context=(${context.map((part) => `'${part}'`).join(', ')})`;
  if (node.type === 'object' || node.properties) {
    const properties = (node.properties ?? {}) as Record<string, unknown>;
    if (node.additionalProperties !== false) return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    const required = Array.isArray(node.required) ? (node.required as string[]) : [];
    const missing = Object.keys(properties).filter((key) => !required.includes(key));
    if (missing.length > 0) return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    for (const [key, value] of Object.entries(properties)) {
      const problem = strictSchemaProblem(value, [...context, 'properties', key]);
      if (problem) return problem;
    }
  }
  for (const key of ['items', 'anyOf', '$defs', 'definitions'] as const) {
    const child = node[key];
    if (Array.isArray(child)) {
      for (const [index, item] of child.entries()) {
        const problem = strictSchemaProblem(item, [...context, key, String(index)]);
        if (problem) return problem;
      }
    } else if (child && typeof child === 'object') {
      const entries = key === 'items' ? [['', child] as const] : Object.entries(child);
      for (const [name, item] of entries) {
        const problem = strictSchemaProblem(item, name ? [...context, key, name] : [...context, key]);
        if (problem) return problem;
      }
    }
  }
  return undefined;
}

function authorised(exchange: Exchange, options: OpenAIServerOptions): boolean {
  const header = exchange.request.headers.authorization;
  const key = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  if (key.length === 0) {
    sendError(exchange, 401, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", 'invalid_request_error');
    return false;
  }
  if (options.apiKey !== undefined && key !== options.apiKey) {
    sendError(exchange, 401, `Incorrect API key provided: ${key.slice(0, 3)}***${key.slice(-4)}.`, 'invalid_request_error', { code: 'invalid_api_key' });
    return false;
  }
  return true;
}

function parsedBody(exchange: Exchange): unknown {
  if (exchange.request.body === undefined) {
    sendError(exchange, 400, 'We could not parse the JSON body of your request. (HINT: This likely means you aren\'t using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)', 'invalid_request_error');
  }
  return exchange.request.body;
}

function usageOf(reply: ScriptedReply, body: OpenAIChatRequest, completionText: string) {
  const prompt = reply.usage?.inputTokens ?? estimateTokens(body.messages.map((message) => contentText(message.content)).join('\n'));
  const completion = reply.usage?.outputTokens ?? estimateTokens(completionText);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

async function chatCompletions(exchange: Exchange, nextReply: (request: Exchange['request']) => Promise<ScriptedReply>, options: OpenAIServerOptions): Promise<void> {
  if (!authorised(exchange, options)) return;
  const raw = parsedBody(exchange);
  if (raw === undefined) return;
  const parsed = openAIChatRequestSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return rejectInvalid(exchange, parsed.error.issues);
  const body = parsed.data;
  const problem = semanticProblem(body);
  if (problem) return sendError(exchange, 400, problem.message, 'invalid_request_error', { param: problem.param });
  if (options.models && !options.models.includes(body.model)) {
    return sendError(exchange, 404, `The model \`${body.model}\` does not exist or you do not have access to it.`, 'invalid_request_error', { code: 'model_not_found' });
  }

  const reply = await nextReply(exchange.request);
  await exchange.wait(reply.delayMs);
  if (reply.error) return sendScriptedError(exchange, reply.error, body.model);

  const model = reply.model ?? body.model;
  const text = reply.text ?? (reply.toolCalls?.length ? '' : 'ok');
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? providerId('call_'),
    type: 'function' as const,
    function: { name: call.name, arguments: serialiseArguments(call.arguments) },
  }));
  const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
  const usage = usageOf(reply, body, text + toolCalls.map((call) => call.function.arguments).join(''));
  const id = providerId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const headers = { 'x-request-id': providerId('req_'), 'openai-processing-ms': '12' };

  if (!body.stream) {
    if (reply.malformed === 'invalid-json') {
      exchange.raw(200, `{"id":"${id}","object":"chat.completion","choices":[{"index":0,"message":{"role":"assis`, { 'content-type': 'application/json', ...headers });
      return;
    }
    if (reply.malformed === 'unexpected-shape') return exchange.json(200, { id, object: 'chat.completion', created, model }, headers);
    exchange.json(
      200,
      {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text.length > 0 || toolCalls.length === 0 ? text : null,
              refusal: null,
              annotations: [],
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage,
        service_tier: 'default',
        system_fingerprint: 'fp_entity_test',
      },
      headers,
    );
    return;
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    service_tier: 'default',
    system_fingerprint: 'fp_entity_test',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '', refusal: null }, null)];
  for (const piece of splitIntoDeltas(text)) chunks.push(chunk({ content: piece }, null));
  for (const [index, call] of toolCalls.entries()) {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, null));
    for (const piece of splitEvenly(call.function.arguments, 3)) chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null));
  }
  chunks.push(chunk({}, finishReason));
  if (includeUsage) chunks.push({ id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_entity_test', choices: [], usage });

  exchange.startStream('text/event-stream; charset=utf-8', headers);
  for (const [index, event] of chunks.entries()) {
    if (exchange.closed) return;
    if (reply.disconnectAfterChunks !== undefined && index >= reply.disconnectAfterChunks) return exchange.disconnect();
    if (reply.streamErrorAfterChunks !== undefined && index >= reply.streamErrorAfterChunks) {
      exchange.write(`data: ${JSON.stringify({ error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } })}\n\n`);
      return exchange.end();
    }
    if (reply.malformed === 'invalid-json' && index === 1) {
      exchange.write(`data: ${JSON.stringify(event).slice(0, 40)}\n\n`);
      return exchange.end();
    }
    exchange.write(`data: ${JSON.stringify(reply.malformed === 'unexpected-shape' ? { id, object: 'chat.completion.chunk' } : event)}\n\n`);
    await exchange.wait(reply.chunkDelayMs);
  }
  exchange.write('data: [DONE]\n\n');
  exchange.end();
}

function embeddings(exchange: Exchange, options: OpenAIServerOptions, nextReply: (request: Exchange['request']) => Promise<ScriptedReply>): Promise<void> | void {
  if (!authorised(exchange, options)) return;
  const raw = parsedBody(exchange);
  if (raw === undefined) return;
  const parsed = openAIEmbeddingRequestSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return rejectInvalid(exchange, parsed.error.issues);
  const body = parsed.data;
  if (Array.isArray(body.input) && body.input.some((item) => item === '')) {
    return sendError(exchange, 400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", 'invalid_request_error');
  }
  return (async () => {
    const reply = await nextReply(exchange.request);
    await exchange.wait(reply.delayMs);
    if (reply.error) return sendScriptedError(exchange, reply.error, body.model);
    const inputs = typeof body.input === 'string' ? [body.input] : (body.input as unknown[]).map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
    const dimensions = body.dimensions ?? options.embeddingDimensions ?? 8;
    const data = inputs.map((input, index) => {
      const vector = deterministicEmbedding(input, dimensions);
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    const tokens = inputs.reduce((sum, input) => sum + estimateTokens(input), 0);
    if (reply.malformed === 'unexpected-shape') return exchange.json(200, { object: 'list', model: body.model });
    exchange.json(200, { object: 'list', data, model: reply.model ?? body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, { 'x-request-id': providerId('req_') });
  })();
}

/**
 * A loopback server speaking the OpenAI Chat Completions API (`/v1/chat/completions` with
 * SSE streaming, `/v1/embeddings`, `/v1/models`). Use `server.baseURL` as the SDK's `baseURL`.
 */
export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<LoopbackServer & { baseURL: string }> {
  const server = await startLoopbackServer({
    defaultReply: options.defaultReply ?? { text: 'Hello from the OpenAI test server.' },
    notFound: (exchange) => sendError(exchange, 404, `Invalid URL (${exchange.request.method} ${exchange.request.path})`, 'invalid_request_error'),
    routes: [
      { method: 'POST', path: '/v1/chat/completions', modelCall: true, handler: (exchange, internals) => chatCompletions(exchange, internals.nextReply, options) },
      { method: 'POST', path: '/v1/embeddings', modelCall: true, handler: (exchange, internals) => embeddings(exchange, options, internals.nextReply) },
      {
        method: 'GET',
        path: '/v1/models',
        handler: (exchange) => {
          if (!authorised(exchange, options)) return;
          const ids = options.models ?? ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small'];
          exchange.json(200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'system' })) });
        },
      },
    ],
  });
  return Object.assign(server, { baseURL: `${server.origin}/v1` });
}
