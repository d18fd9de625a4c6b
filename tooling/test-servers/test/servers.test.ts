import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deterministicEmbedding, startAnthropicServer, startOllamaServer, startOpenAIServer } from '../src/index.js';

// The servers must reject what the real APIs reject; the adapters' tests rely on it to catch
// malformed requests. These checks speak raw HTTP, without any SDK in between.

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
const bodyOf = async (response: Response | Promise<Response>): Promise<any> => (await response).json();

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('OpenAI server', () => {
  let server: Awaited<ReturnType<typeof startOpenAIServer>>;
  const auth = { authorization: 'Bearer sk-test' };
  beforeAll(async () => {
    server = await startOpenAIServer({ apiKey: 'sk-test' });
  });
  afterAll(() => server.close());

  it('listens on an ephemeral loopback port', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('rejects unknown parameters, missing fields, bad JSON and bad keys like the real API', async () => {
    const unknown = await post(`${server.baseURL}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], temprature: 1 }, auth);
    expect(unknown.status).toBe(400);
    expect((await bodyOf(unknown)).error.message).toBe('Unrecognized request argument supplied: temprature');
    const missing = await post(`${server.baseURL}/chat/completions`, { model: 'm' }, auth);
    expect((await bodyOf(missing)).error).toMatchObject({ code: 'missing_required_parameter', param: 'messages' });
    const broken = await post(`${server.baseURL}/chat/completions`, '{"model":', auth);
    expect((await bodyOf(broken)).error.message).toContain('could not parse the JSON body');
    const noKey = await post(`${server.baseURL}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(noKey.status).toBe(401);
    const badTemperature = await post(`${server.baseURL}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 3 }, auth);
    expect((await bodyOf(badTemperature)).error.param).toBe('temperature');
  });

  it('requires tool calls to be answered and tool messages to follow them', async () => {
    const unanswered = await post(
      `${server.baseURL}/chat/completions`,
      {
        model: 'm',
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'user', content: 'y' },
        ],
      },
      auth,
    );
    expect((await bodyOf(unanswered)).error.message).toContain('did not have response messages: c1');
    const strict = await post(
      `${server.baseURL}/chat/completions`,
      { model: 'm', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'r', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } } } },
      auth,
    );
    expect((await bodyOf(strict)).error.message).toContain("'additionalProperties' is required");
  });

  it('streams SSE chunks with tool-call deltas, a finish chunk, a usage chunk and [DONE]', async () => {
    server.enqueue({ text: 'Hi there', toolCalls: [{ id: 'call_x', name: 'f', arguments: { q: 1 } }] });
    const response = await post(`${server.baseURL}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } }, auth);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const text = await response.text();
    const events = text.trim().split('\n\n').map((block) => block.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.at(-1).choices).toEqual([]);
    expect(chunks.at(-1).usage.total_tokens).toBeGreaterThan(0);
    expect(chunks.at(-2).choices[0].finish_reason).toBe('tool_calls');
    const args = chunks.flatMap((chunk) => chunk.choices[0]?.delta?.tool_calls ?? []).map((delta: { function: { arguments: string } }) => delta.function.arguments).join('');
    expect(JSON.parse(args)).toEqual({ q: 1 });
  });

  it('answers scripted errors with status and retry-after headers', async () => {
    server.enqueue({ error: { status: 429, retryAfter: 7 } });
    const response = await post(`${server.baseURL}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] }, auth);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect((await bodyOf(response)).error.code).toBe('rate_limit_exceeded');
  });

  it('embeds as floats or base64 float32, deterministically', async () => {
    const floats = await bodyOf(post(`${server.baseURL}/embeddings`, { model: 'e', input: ['a b'], encoding_format: 'float' }, auth));
    const base64 = await bodyOf(post(`${server.baseURL}/embeddings`, { model: 'e', input: 'a b', encoding_format: 'base64' }, auth));
    const bytes = Buffer.from(base64.data[0].embedding, 'base64');
    const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    expect(floats.data[0].embedding).toEqual(deterministicEmbedding('a b', 8));
    for (const [index, value] of decoded.entries()) expect(value).toBeCloseTo(floats.data[0].embedding[index], 6);
  });
});

describe('Anthropic server', () => {
  let server: Awaited<ReturnType<typeof startAnthropicServer>>;
  const headers = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
  beforeAll(async () => {
    server = await startAnthropicServer();
  });
  afterAll(() => server.close());

  it('requires the version header and max_tokens, and rejects extra fields', async () => {
    const noVersion = await post(`${server.origin}/v1/messages`, { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }, { 'x-api-key': 'k' });
    expect((await bodyOf(noVersion)).error.message).toBe('anthropic-version: header is required');
    const noMax = await post(`${server.origin}/v1/messages`, { model: 'c', messages: [{ role: 'user', content: 'x' }] }, headers);
    expect((await bodyOf(noMax)).error.message).toBe('max_tokens: Field required');
    const extra = await post(`${server.origin}/v1/messages`, { model: 'c', max_tokens: 5, messages: [{ role: 'user', content: 'x', name: 'n' }] }, headers);
    expect((await bodyOf(extra)).error.message).toBe('messages.0.name: Extra inputs are not permitted');
    const systemRole = await post(`${server.origin}/v1/messages`, { model: 'c', max_tokens: 5, messages: [{ role: 'system', content: 'x' }] }, headers);
    expect(systemRole.status).toBe(400);
  });

  it('requires every tool_use to be answered in the next message', async () => {
    const response = await post(
      `${server.origin}/v1/messages`,
      {
        model: 'c',
        max_tokens: 5,
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'f', input: {} }] },
          { role: 'user', content: 'no result' },
        ],
      },
      headers,
    );
    expect((await bodyOf(response)).error.message).toContain('`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1');
  });

  it('streams the documented event sequence', async () => {
    server.enqueue({ text: 'Hello world', toolCalls: [{ id: 'toolu_z', name: 'f', arguments: { q: 2 } }] });
    const text = await (await post(`${server.origin}/v1/messages`, { model: 'c', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }, headers)).text();
    const names = [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(names[0]).toBe('message_start');
    expect(names.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(names.filter((name) => name === 'content_block_start')).toHaveLength(2);
    expect(text).toContain('"type":"input_json_delta"');
    expect(text).toContain('"stop_reason":"tool_use"');
  });
});

describe('Ollama server', () => {
  let server: Awaited<ReturnType<typeof startOllamaServer>>;
  beforeAll(async () => {
    server = await startOllamaServer({ models: ['llama3.2:3b'] });
  });
  afterAll(() => server.close());

  it('lists installed models and 404s unknown ones with the pull hint', async () => {
    const tags = await bodyOf(fetch(`${server.host}/api/tags`));
    expect(tags.models.map((model: { name: string }) => model.name)).toEqual(['llama3.2:3b']);
    const missing = await post(`${server.host}/api/chat`, { model: 'phi3:mini', messages: [] });
    expect(missing.status).toBe(404);
    expect((await bodyOf(missing)).error).toBe('model "phi3:mini" not found, try pulling it first');
  });

  it('rejects tool-call arguments sent as a JSON string, like Go decoding does', async () => {
    const response = await post(`${server.host}/api/chat`, {
      model: 'llama3.2:3b',
      stream: false,
      messages: [{ role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }] }],
    });
    expect(response.status).toBe(400);
    expect((await bodyOf(response)).error).toContain('cannot unmarshal string');
  });

  it('streams NDJSON by default, ending with a done chunk that carries counts', async () => {
    server.enqueue({ text: 'one two' });
    const response = await post(`${server.host}/api/chat`, { model: 'llama3.2:3b', messages: [{ role: 'user', content: 'x' }] });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const lines = (await response.text()).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => line.message.content).join('')).toBe('one two');
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
    expect(lines.at(-1).eval_count).toBeGreaterThan(0);
  });
});
