import type { z } from 'zod';
import { type AnthropicMessage, type AnthropicMessagesRequest, anthropicMessagesRequestSchema } from './anthropic-schemas.js';
import { type Exchange, type LoopbackServer, retryHeaders, startLoopbackServer } from './loopback-server.js';
import { estimateTokens, providerId, type ScriptedError, type ScriptedReply, serialiseArguments, splitEvenly, splitIntoDeltas } from './scripted-reply.js';

export interface AnthropicServerOptions {
  /** When set, `x-api-key` must equal it; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** When set, other model names get 404 `not_found_error`. */
  models?: string[];
  /** Reply when nothing is queued. Default: `{ text: 'Hello from the Anthropic test server.' }`. */
  defaultReply?: ScriptedReply;
}

const ERROR_TYPES: Record<number, [string, string]> = {
  400: ['invalid_request_error', 'Invalid request.'],
  401: ['authentication_error', 'invalid x-api-key'],
  403: ['permission_error', 'Your API key does not have permission to use the specified resource.'],
  404: ['not_found_error', 'Not found.'],
  413: ['request_too_large', 'Request exceeds the maximum allowed number of bytes.'],
  429: ['rate_limit_error', 'This request would exceed the rate limit for your organization. Please try again later.'],
  500: ['api_error', 'Internal server error'],
  529: ['overloaded_error', 'Overloaded'],
};

function sendError(exchange: Exchange, status: number, type: string, message: string, headers: Record<string, string> = {}): void {
  const requestId = providerId('req_');
  exchange.json(status, { type: 'error', error: { type, message }, request_id: requestId }, { 'request-id': requestId, ...headers });
}

function sendScriptedError(exchange: Exchange, error: ScriptedError): void {
  const [type, message] = ERROR_TYPES[error.status] ?? [error.status >= 500 ? 'api_error' : 'invalid_request_error', 'Error'];
  sendError(exchange, error.status, error.type ?? type, error.message ?? message, retryHeaders(error));
}

function dottedPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

function rejectInvalid(exchange: Exchange, issues: readonly z.core.$ZodIssue[]) {
  const issue = issues[0];
  if (!issue) return sendError(exchange, 400, 'invalid_request_error', 'Invalid request.');
  if (issue.code === 'unrecognized_keys') {
    const base = dottedPath(issue.path);
    return sendError(exchange, 400, 'invalid_request_error', `${base ? `${base}.` : ''}${issue.keys[0]}: Extra inputs are not permitted`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return sendError(exchange, 400, 'invalid_request_error', `${dottedPath(issue.path)}: Field required`);
  sendError(exchange, 400, 'invalid_request_error', `${dottedPath(issue.path)}: ${issue.message}`);
}

function blocksOf(message: AnthropicMessage) {
  return typeof message.content === 'string' ? [{ type: 'text' as const, text: message.content }] : message.content;
}

/** What the API checks beyond the schema: non-empty content, tool_use/tool_result pairing, tool_choice. */
function semanticProblem(body: AnthropicMessagesRequest): string | undefined {
  if (body.messages.length === 0) return 'messages: at least one message is required';
  for (const [index, message] of body.messages.entries()) {
    const blocks = blocksOf(message);
    const isFinalAssistant = index === body.messages.length - 1 && message.role === 'assistant';
    if (!isFinalAssistant && (blocks.length === 0 || (typeof message.content === 'string' && message.content.length === 0))) {
      return `messages.${index}: all messages must have non-empty content except for the optional final assistant message`;
    }
    for (const [blockIndex, block] of blocks.entries()) {
      if (block.type === 'text' && block.text.length === 0 && !isFinalAssistant) return `messages.${index}.content.${blockIndex}: text content blocks must be non-empty`;
      if (block.type === 'tool_use' && message.role !== 'assistant') return `messages.${index}.content.${blockIndex}: \`tool_use\` blocks can only be in \`assistant\` messages`;
      if (block.type === 'tool_result' && message.role !== 'user') return `messages.${index}.content.${blockIndex}: \`tool_result\` blocks can only be in \`user\` messages`;
    }
    const toolUseIds = blocks.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
    if (toolUseIds.length > 0) {
      const next = body.messages[index + 1];
      const answered = new Set(next ? blocksOf(next).flatMap((block) => (block.type === 'tool_result' ? [block.tool_use_id] : [])) : []);
      const missing = toolUseIds.filter((id) => !answered.has(id));
      if (missing.length > 0 && !(index === body.messages.length - 1)) {
        return `messages.${index + 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
    const previous = body.messages[index - 1];
    const previousIds = new Set(previous ? blocksOf(previous).flatMap((block) => (block.type === 'tool_use' ? [block.id] : [])) : []);
    for (const [blockIndex, block] of blocks.entries()) {
      if (block.type === 'tool_result' && !previousIds.has(block.tool_use_id)) {
        return `messages.${index}.content.${blockIndex}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
      }
    }
  }
  if (body.tool_choice && body.tool_choice.type !== 'none' && body.tool_choice.type !== 'auto' && !body.tools?.length) {
    return 'tool_choice: tool_choice may only be specified while providing tools';
  }
  if (body.tool_choice?.type === 'tool') {
    const name = body.tool_choice.name;
    if (!body.tools?.some((tool) => tool.name === name)) return `tool_choice.name: tool '${name}' is not among the provided tools`;
  }
  const names = new Set<string>();
  for (const tool of body.tools ?? []) {
    if (names.has(tool.name)) return 'tools: Tool names must be unique.';
    names.add(tool.name);
  }
  return undefined;
}

function checkHeaders(exchange: Exchange, options: AnthropicServerOptions): boolean {
  const { headers } = exchange.request;
  const apiKey = typeof headers['x-api-key'] === 'string' ? headers['x-api-key'] : '';
  const bearer = typeof headers.authorization === 'string' && headers.authorization.startsWith('Bearer ') ? headers.authorization.slice(7) : '';
  const key = apiKey || bearer;
  if (!key) {
    sendError(exchange, 401, 'authentication_error', 'x-api-key header is required');
    return false;
  }
  if (options.apiKey !== undefined && key !== options.apiKey) {
    sendError(exchange, 401, 'authentication_error', 'invalid x-api-key');
    return false;
  }
  if (typeof headers['anthropic-version'] !== 'string') {
    sendError(exchange, 400, 'invalid_request_error', 'anthropic-version: header is required');
    return false;
  }
  return true;
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

async function messages(exchange: Exchange, nextReply: (request: Exchange['request']) => Promise<ScriptedReply>, options: AnthropicServerOptions): Promise<void> {
  if (!checkHeaders(exchange, options)) return;
  if (exchange.request.body === undefined) return sendError(exchange, 400, 'invalid_request_error', 'There was an error parsing the body of your request: invalid JSON');
  const parsed = anthropicMessagesRequestSchema.safeParse(exchange.request.body, { reportInput: true });
  if (!parsed.success) return rejectInvalid(exchange, parsed.error.issues);
  const body = parsed.data;
  const problem = semanticProblem(body);
  if (problem) return sendError(exchange, 400, 'invalid_request_error', problem);
  if (options.models && !options.models.includes(body.model)) return sendError(exchange, 404, 'not_found_error', `model: ${body.model}`);

  const reply = await nextReply(exchange.request);
  await exchange.wait(reply.delayMs);
  if (reply.error) return sendScriptedError(exchange, reply.error);

  const model = reply.model ?? body.model;
  const text = reply.text ?? (reply.toolCalls?.length ? '' : 'ok');
  const toolUses = (reply.toolCalls ?? []).map((call) => ({ id: call.id ?? providerId('toolu_'), name: call.name, json: serialiseArguments(call.arguments), input: call.arguments }));
  const stopReason = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use', content_filter: 'refusal' }[reply.finishReason ?? (toolUses.length > 0 ? 'tool_calls' : 'stop')];
  const promptText = [typeof body.system === 'string' ? body.system : (body.system ?? []).map((block) => block.text).join(''), ...body.messages.map((message) => JSON.stringify(message.content))].join('\n');
  const inputTokens = reply.usage?.inputTokens ?? estimateTokens(promptText);
  const outputTokens = reply.usage?.outputTokens ?? estimateTokens(text + toolUses.map((call) => call.json).join(''));
  const id = providerId('msg_');
  const headers = { 'request-id': providerId('req_') };

  if (!body.stream) {
    if (reply.malformed === 'invalid-json') return exchange.raw(200, `{"id":"${id}","type":"message","role":"assistant","content":[{"type":"te`, { 'content-type': 'application/json', ...headers });
    if (reply.malformed === 'unexpected-shape') return exchange.json(200, { id, type: 'message', role: 'assistant' }, headers);
    const content: unknown[] = [];
    if (text.length > 0) content.push({ type: 'text', text });
    for (const call of toolUses) content.push({ type: 'tool_use', id: call.id, name: call.name, input: typeof call.input === 'string' ? call.input : (call.input ?? {}) });
    exchange.json(
      200,
      {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens, service_tier: 'standard' },
      },
      headers,
    );
    return;
  }

  const events: string[] = [
    sse('message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1, service_tier: 'standard' },
      },
    }),
  ];
  let index = 0;
  if (text.length > 0) {
    events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    events.push(sse('ping', { type: 'ping' }));
    for (const piece of splitIntoDeltas(text)) events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } }));
    events.push(sse('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  for (const call of toolUses) {
    events.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} } }));
    events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const piece of splitEvenly(call.json, 3)) events.push(sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }));
    events.push(sse('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  }
  events.push(
    sse('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { input_tokens: inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: outputTokens },
    }),
  );
  events.push(sse('message_stop', { type: 'message_stop' }));

  exchange.startStream('text/event-stream; charset=utf-8', headers);
  for (const [position, event] of events.entries()) {
    if (exchange.closed) return;
    if (reply.disconnectAfterChunks !== undefined && position >= reply.disconnectAfterChunks) return exchange.disconnect();
    if (reply.streamErrorAfterChunks !== undefined && position >= reply.streamErrorAfterChunks) {
      exchange.write(sse('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      return exchange.end();
    }
    if (reply.malformed === 'invalid-json' && position === 1) {
      exchange.write(`event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_blo\n\n`);
      return exchange.end();
    }
    exchange.write(reply.malformed === 'unexpected-shape' && position > 0 ? sse('content_block_delta', { type: 'content_block_delta' }) : event);
    await exchange.wait(reply.chunkDelayMs);
  }
  exchange.end();
}

/**
 * A loopback server speaking the Anthropic Messages API (`/v1/messages`, including its SSE
 * event sequence, and `/v1/models`). Use `server.origin` as the SDK's `baseURL`.
 */
export async function startAnthropicServer(options: AnthropicServerOptions = {}): Promise<LoopbackServer & { baseURL: string }> {
  const server = await startLoopbackServer({
    defaultReply: options.defaultReply ?? { text: 'Hello from the Anthropic test server.' },
    notFound: (exchange) => sendError(exchange, 404, 'not_found_error', 'Not Found'),
    routes: [
      { method: 'POST', path: '/v1/messages', modelCall: true, handler: (exchange, internals) => messages(exchange, internals.nextReply, options) },
      {
        method: 'GET',
        path: '/v1/models',
        handler: (exchange) => {
          if (!checkHeaders(exchange, options)) return;
          const ids = options.models ?? ['claude-sonnet-4-5', 'claude-haiku-4-5'];
          const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
          exchange.json(200, { data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null });
        },
      },
    ],
  });
  return Object.assign(server, { baseURL: server.origin });
}
