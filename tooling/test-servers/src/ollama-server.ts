import type { z } from 'zod';
import { type Exchange, formatPath, type LoopbackServer, startLoopbackServer } from './loopback-server.js';
import { type OllamaChatRequest, ollamaChatRequestSchema, ollamaEmbedRequestSchema } from './ollama-schemas.js';
import { deterministicEmbedding, estimateTokens, providerId, type ScriptedReply, splitIntoDeltas } from './scripted-reply.js';

export interface OllamaServerOptions {
  /** Models reported by /api/tags and accepted by /api/chat and /api/embed. Default: `['llama3.2:3b', 'nomic-embed-text']`. */
  models?: string[];
  /** Length of embedding vectors. Default: 8. */
  embeddingDimensions?: number;
  /** Reply when nothing is queued. Default: `{ text: 'Hello from the Ollama test server.' }`. */
  defaultReply?: ScriptedReply;
}

export interface OllamaTestServer extends LoopbackServer {
  /** `host` for the Ollama SDK. */
  readonly host: string;
  /** Installed models; change it to simulate `ollama pull` / `ollama rm`. */
  models: string[];
}

/** Ollama names without a tag mean `:latest`. */
function normaliseModel(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function sendError(exchange: Exchange, status: number, message: string): void {
  exchange.json(status, { error: message });
}

function rejectInvalid(exchange: Exchange, issues: readonly z.core.$ZodIssue[], struct: string) {
  const issue = issues[0];
  if (!issue) return sendError(exchange, 400, 'invalid request');
  const received = issue.code === 'invalid_type' ? typeof issue.input : 'value';
  const expected = issue.code === 'invalid_type' ? issue.expected : 'value';
  sendError(exchange, 400, `json: cannot unmarshal ${received} into Go struct field ${struct}.${formatPath(issue.path)} of type ${expected}`);
}

function timings(promptTokens: number, evalTokens: number) {
  return { total_duration: 123_456_789, load_duration: 1_234_567, prompt_eval_count: promptTokens, prompt_eval_duration: 12_345_678, eval_count: evalTokens, eval_duration: 98_765_432 };
}

async function chat(exchange: Exchange, server: OllamaTestServer, nextReply: (request: Exchange['request']) => Promise<ScriptedReply>): Promise<void> {
  if (exchange.request.body === undefined) return sendError(exchange, 400, exchange.request.rawBody.length === 0 ? 'missing request body' : 'invalid character in request body');
  const parsed = ollamaChatRequestSchema.safeParse(exchange.request.body, { reportInput: true });
  if (!parsed.success) return rejectInvalid(exchange, parsed.error.issues, 'ChatRequest');
  const body: OllamaChatRequest = parsed.data;
  if (body.model.length === 0) return sendError(exchange, 400, 'model is required');
  if (!server.models.map(normaliseModel).includes(normaliseModel(body.model))) {
    return sendError(exchange, 404, `model "${body.model}" not found, try pulling it first`);
  }

  const reply = await nextReply(exchange.request);
  await exchange.wait(reply.delayMs);
  if (reply.error) return sendError(exchange, reply.error.status, reply.error.message ?? (reply.error.status >= 500 ? 'an error was encountered while running the model' : 'bad request'));

  const model = reply.model ?? body.model;
  const text = reply.text ?? (reply.toolCalls?.length ? '' : 'ok');
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? providerId('call_'),
    function: { index, name: call.name, arguments: call.arguments ?? {} },
  }));
  const promptTokens = reply.usage?.inputTokens ?? estimateTokens((body.messages ?? []).map((message) => message.content).join('\n'));
  const evalTokens = reply.usage?.outputTokens ?? estimateTokens(text + JSON.stringify(toolCalls.map((call) => call.function.arguments)));
  const doneReason = reply.finishReason === 'length' ? 'length' : 'stop';
  const createdAt = () => new Date().toISOString();

  if (body.stream === false) {
    if (reply.malformed === 'invalid-json') return exchange.raw(200, `{"model":"${model}","created_at":"${createdAt()}","message":{"role":"assist`, { 'content-type': 'application/json; charset=utf-8' });
    if (reply.malformed === 'unexpected-shape') return exchange.json(200, { model, created_at: createdAt(), done: true });
    exchange.json(200, {
      model,
      created_at: createdAt(),
      message: { role: 'assistant', content: text, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
      done_reason: doneReason,
      done: true,
      ...timings(promptTokens, evalTokens),
    });
    return;
  }

  const lines: unknown[] = [];
  for (const piece of splitIntoDeltas(text)) lines.push({ model, created_at: createdAt(), message: { role: 'assistant', content: piece }, done: false });
  if (toolCalls.length > 0) lines.push({ model, created_at: createdAt(), message: { role: 'assistant', content: '', tool_calls: toolCalls }, done: false });
  lines.push({ model, created_at: createdAt(), message: { role: 'assistant', content: '' }, done_reason: doneReason, done: true, ...timings(promptTokens, evalTokens) });

  exchange.startStream('application/x-ndjson');
  for (const [index, line] of lines.entries()) {
    if (exchange.closed) return;
    if (reply.disconnectAfterChunks !== undefined && index >= reply.disconnectAfterChunks) return exchange.disconnect();
    if (reply.streamErrorAfterChunks !== undefined && index >= reply.streamErrorAfterChunks) {
      exchange.write(`${JSON.stringify({ error: 'an error was encountered while running the model: unexpected EOF' })}\n`);
      return exchange.end();
    }
    if (reply.malformed === 'invalid-json' && index === 1) {
      exchange.write(`${JSON.stringify(line).slice(0, 30)}\n`);
      return exchange.end();
    }
    exchange.write(`${JSON.stringify(reply.malformed === 'unexpected-shape' ? { model, done: false } : line)}\n`);
    await exchange.wait(reply.chunkDelayMs);
  }
  exchange.end();
}

async function embed(exchange: Exchange, server: OllamaTestServer, nextReply: (request: Exchange['request']) => Promise<ScriptedReply>, dimensions: number): Promise<void> {
  if (exchange.request.body === undefined) return sendError(exchange, 400, 'missing request body');
  const parsed = ollamaEmbedRequestSchema.safeParse(exchange.request.body, { reportInput: true });
  if (!parsed.success) return rejectInvalid(exchange, parsed.error.issues, 'EmbedRequest');
  const body = parsed.data;
  if (body.model.length === 0) return sendError(exchange, 400, 'model is required');
  if (!server.models.map(normaliseModel).includes(normaliseModel(body.model))) return sendError(exchange, 404, `model "${body.model}" not found, try pulling it first`);
  const inputs = typeof body.input === 'string' ? [body.input] : body.input;
  const reply = await nextReply(exchange.request);
  await exchange.wait(reply.delayMs);
  if (reply.error) return sendError(exchange, reply.error.status, reply.error.message ?? 'embedding failed');
  if (reply.malformed === 'unexpected-shape') return exchange.json(200, { model: body.model });
  exchange.json(200, {
    model: body.model,
    embeddings: inputs.map((input) => deterministicEmbedding(input, body.dimensions ?? dimensions)),
    total_duration: 14_143_917,
    load_duration: 1_019_500,
    prompt_eval_count: inputs.reduce((sum, input) => sum + estimateTokens(input), 0),
  });
}

function tags(exchange: Exchange, server: OllamaTestServer): void {
  exchange.json(200, {
    models: server.models.map((name) => {
      const family = name.split(/[:.\d]/)[0] ?? name;
      return {
        name: normaliseModel(name),
        model: normaliseModel(name),
        modified_at: '2026-01-01T00:00:00.000000000Z',
        size: 2_019_393_189,
        digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
        details: { parent_model: '', format: 'gguf', family, families: [family], parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
      };
    }),
  });
}

/**
 * A loopback server speaking the Ollama API (`/api/chat` with NDJSON streaming, `/api/embed`,
 * `/api/tags`, `/api/version`, `/`). Use `server.host` as the SDK's `host`.
 */
export async function startOllamaServer(options: OllamaServerOptions = {}): Promise<OllamaTestServer> {
  const dimensions = options.embeddingDimensions ?? 8;
  let self: OllamaTestServer | undefined;
  const server = await startLoopbackServer({
    defaultReply: options.defaultReply ?? { text: 'Hello from the Ollama test server.' },
    notFound: (exchange) => exchange.raw(404, '404 page not found', { 'content-type': 'text/plain; charset=utf-8' }),
    routes: [
      { method: 'POST', path: '/api/chat', modelCall: true, handler: (exchange, internals) => chat(exchange, self as OllamaTestServer, internals.nextReply) },
      { method: 'POST', path: '/api/embed', modelCall: true, handler: (exchange, internals) => embed(exchange, self as OllamaTestServer, internals.nextReply, dimensions) },
      { method: 'GET', path: '/api/tags', handler: (exchange) => tags(exchange, self as OllamaTestServer) },
      { method: 'GET', path: '/api/version', handler: (exchange) => exchange.json(200, { version: '0.12.6' }) },
      { method: 'GET', path: '/', handler: (exchange) => exchange.raw(200, 'Ollama is running', { 'content-type': 'text/plain; charset=utf-8' }) },
      { method: 'HEAD', path: '/', handler: (exchange) => exchange.raw(200, '', { 'content-type': 'text/plain; charset=utf-8' }) },
    ],
  });
  self = Object.assign(server, { host: server.origin, models: [...(options.models ?? ['llama3.2:3b', 'nomic-embed-text'])] });
  return self;
}
