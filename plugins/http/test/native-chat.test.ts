import { Agent, agentTool, definePlugin, defineTool, inMemoryLogger, inMemoryMemory } from '@entity/core';
import { scriptedLLM } from '@entity/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred, KEYS, parseSse, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

const SECRET = 'postgres://admin:hunter2@db.internal';

const leakyTool = defineTool({
  name: 'lookup',
  description: 'Looks something up',
  input: z.object({}),
  execute: () => {
    throw new Error(`could not connect to ${SECRET}`);
  },
});

/** Reads an SSE body piece by piece while it stays open. */
function openStream(response: Response) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  return {
    /** Reads until `until` holds for everything read so far; returns it. */
    async readUntil(until: (text: string) => boolean): Promise<string> {
      while (!until(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += value;
      }
      return text;
    },
    async readAll(): Promise<string> {
      return this.readUntil(() => false);
    },
  };
}

function postStreaming(path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  return fetch(server!.url(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${KEYS.admin}` },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

describe('POST /v1/chat (JSON)', () => {
  it('answers with the text and the run info', async () => {
    server = await startTestServer(['Hello, Alice.']);
    const response = await server.post('/v1/chat', { message: 'hi', userId: 'alice', conversationId: 'c1', metadata: { channel: 'web' } }, {});
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { text: string; info: Record<string, unknown> };
    expect(body.text).toBe('Hello, Alice.');
    expect(body.info).toMatchObject({ userId: 'alice', conversationId: 'c1', iterations: 1, usage: { totalTokens: 15 }, toolCalls: [] });
    expect(body.info.runId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('returns the sources and annotations plugins recorded in the run info', async () => {
    const citing = definePlugin({
      name: 'citing',
      kind: 'prompt',
      execute: (context) => {
        context.addSources([{ source: 'manual/indexes.md', section: 'GIN', score: 0.9 }]);
        context.annotate('route', 'docs');
      },
    });
    server = await startTestServer(['See the manual.'], {}, { plugins: [citing] });
    const body = (await (await server.post('/v1/chat', { message: 'hi' })).json()) as { info: Record<string, unknown> };
    expect(body.info.sources).toEqual([{ source: 'manual/indexes.md', section: 'GIN', score: 0.9 }]);
    expect(body.info.annotations).toEqual({ route: 'docs' });
  });

  it('ends a turn past limits.runTimeoutMs with the agent\'s timeout answer', async () => {
    server = await startTestServer(() => new Promise<string>(() => {}), { limits: { runTimeoutMs: 50 } });
    const response = await server.post('/v1/chat', { message: 'too slow' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { text: string; info: { failure?: { errorType: string } } };
    expect(body.info.failure?.errorType).toBe('TIMEOUT');
    expect(body.text).toBe('Sorry, that took too long. Please try again.');
  });

  it('never shows raw error text: a failing tool and a failing model show types only', async () => {
    server = await startTestServer(
      (_request, index) => {
        if (index === 0) return { toolCalls: [{ name: 'lookup', arguments: {} }] };
        throw new Error(`model gateway said: ${SECRET}`);
      },
      {},
      { tools: [leakyTool] },
    );
    const response = await server.post('/v1/chat', { message: 'look it up' });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text).not.toContain('hunter2');
    const body = JSON.parse(text) as { text: string; info: { failure: unknown; toolCalls: Record<string, unknown>[] } };
    expect(body.text).toMatch(/^Sorry/);
    expect(body.info.failure).toEqual({ stage: 'THINK', plugin: 'entity:chat', errorType: 'Error' });
    expect(body.info.toolCalls).toEqual([expect.objectContaining({ name: 'lookup', success: false })]);
    expect(body.info.toolCalls[0]).not.toHaveProperty('error');

    const streamed = await server.post('/v1/chat', { message: 'again' }, { accept: 'text/event-stream' });
    const events = await streamed.text();
    expect(events).toContain('event: error');
    expect(events).not.toContain('hunter2');
  });
});

describe('POST /v1/chat (SSE) with an agent tool', () => {
  it('streams the inner agent\'s events nested under the tool call, without its tools\' raw error text', async () => {
    const inner = new Agent({
      name: 'research',
      zeroConfig: false,
      resources: { llm: scriptedLLM([{ toolCalls: [{ name: 'lookup', arguments: {} }] }, 'found nothing']), memory: inMemoryMemory(), logging: inMemoryLogger({ echoLevel: false }) },
      tools: [leakyTool],
    });
    server = await startTestServer(
      (request) => (request.messages.at(-1)!.role === 'tool' ? 'done researching' : { toolCalls: [{ name: 'research', arguments: { message: 'dig' } }] }),
      {},
      { tools: [agentTool(inner, { name: 'research', description: 'Researches' })] },
    );
    const streamed = await server.post('/v1/chat', { message: 'go' }, { accept: 'text/event-stream' });
    const { messages } = parseSse(await streamed.text());
    const nested = messages.filter((message) => message.event === 'nested').map((message) => JSON.parse(message.data) as { callId: string; agent: string; event: Record<string, unknown> });
    expect(nested.length).toBeGreaterThan(3);
    expect(nested.every((event) => event.agent === 'research')).toBe(true);
    const innerResult = nested.find((event) => event.event.type === 'tool-result')!;
    expect(innerResult.event).toMatchObject({ name: 'lookup', ok: false });
    expect(innerResult.event).not.toHaveProperty('error');
    expect(messages.map((message) => message.data).join('\n')).not.toContain('hunter2');
    await inner.stop();
  });
});

describe('POST /v1/chat (SSE)', () => {
  it('streams the typed run events with ids, event names and a final done', async () => {
    server = await startTestServer(['The answer is five.']);
    const response = await server.post('/v1/chat', { message: 'What is 2+3?' }, { accept: 'text/event-stream' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { messages } = parseSse(await response.text());
    const types = messages.map((message) => message.event);
    expect(types[0]).toBe('run-start');
    expect(types).toContain('stage');
    expect(types.filter((type) => type === 'token').length).toBeGreaterThan(1);
    expect(types.slice(-2)).toEqual(['response', 'done']);
    expect(messages.map((message) => message.id)).toEqual(messages.map((_, index) => String(index + 1)));
    for (const message of messages) expect((JSON.parse(message.data) as { type: string }).type).toBe(message.event);
    const tokens = messages.filter((message) => message.event === 'token').map((message) => (JSON.parse(message.data) as { text: string }).text);
    expect(tokens.join('')).toBe('The answer is five.');
    const done = JSON.parse(messages.at(-1)!.data) as { text: string; info: { iterations: number } };
    expect(done).toMatchObject({ type: 'done', text: 'The answer is five.', info: { iterations: 1 } });
  });

  it('sends heartbeat comments while the run is quiet', async () => {
    const release = deferred();
    server = await startTestServer(async () => {
      await release.promise;
      return 'finally';
    }, { heartbeatMs: 20 });
    const stream = openStream(await postStreaming('/v1/chat', { message: 'slow one' }));
    const before = await stream.readUntil((text) => text.includes(': heartbeat'));
    expect(parseSse(before).comments).toContain('heartbeat');
    release.resolve();
    expect(parseSse(await stream.readAll()).messages.at(-1)!.event).toBe('done');
  });

  it('cancels the run when the client disconnects', async () => {
    const modelCalled = deferred();
    const modelAborted = deferred<unknown>();
    server = await startTestServer((request) => {
      request.signal!.addEventListener('abort', () => modelAborted.resolve(request.signal!.reason));
      modelCalled.resolve();
      return new Promise<string>(() => {});
    });
    const client = new AbortController();
    const stream = openStream(await postStreaming('/v1/chat', { message: 'never answered' }, client.signal));
    await modelCalled.promise;
    await stream.readUntil((text) => text.includes('event: stage'));
    client.abort();
    const reason = await modelAborted.promise;
    expect((reason as { code?: string }).code).toBe('CANCELLED');
    const stored = await server.agent.resource<{ loadMessages(query: object): Promise<unknown[]> }>('memory').loadMessages({ userId: 'default', conversationId: 'default' });
    expect(stored).toEqual([]);
  });

  it('cancels a JSON turn when the client disconnects too', async () => {
    const modelCalled = deferred();
    const modelAborted = deferred();
    server = await startTestServer((request) => {
      request.signal!.addEventListener('abort', () => modelAborted.resolve());
      modelCalled.resolve();
      return new Promise<string>(() => {});
    });
    const client = new AbortController();
    const pending = fetch(server.url('/v1/chat'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}` },
      body: JSON.stringify({ message: 'never answered' }),
      signal: client.signal,
    }).catch((error: unknown) => error);
    await modelCalled.promise;
    client.abort();
    await modelAborted.promise;
    expect(await pending).toBeInstanceOf(Error);
  });
});

describe('request validation', () => {
  const cases: [string, string | object, RegExp, string][] = [
    ['malformed JSON', '{"message": "hi"', /^The body is not valid JSON/, 'invalid_json'],
    ['an unknown field', { message: 'hi', admin: true }, /Unrecognized key: "admin"/, 'validation_failed'],
    ['a wrong type', { message: 42 }, /message: Invalid input: expected string, received number/, 'validation_failed'],
    ['an empty message', { message: '' }, /message: must not be empty/, 'validation_failed'],
    ['a message over the limit', { message: 'x'.repeat(501) }, /message: Too big: expected string to have <=500 characters/, 'validation_failed'],
    ['an invalid userId', { message: 'hi', userId: '../etc/passwd' }, /userId: use 1-200 letters/, 'validation_failed'],
    ['too much metadata', { message: 'hi', metadata: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i])) }, /metadata: at most 32 entries/, 'validation_failed'],
  ];

  it.each(cases)('answers 400 for %s, and nothing reaches the agent', async (_name, body, message, code) => {
    server = await startTestServer(['unused'], { limits: { maxMessageChars: 500 } });
    const response = await server.post('/v1/chat', body);
    expect(response.status).toBe(400);
    const error = ((await response.json()) as { error: { message: string; code: string; type: string } }).error;
    expect(error.message).toMatch(message);
    expect(error).toMatchObject({ code, type: 'invalid_request_error' });
    expect(server.llm.requests).toHaveLength(0);
  });

  it('answers 400 for query parameters a route does not take, 415 for a body that is not JSON, 413 for one too large', async () => {
    server = await startTestServer(['unused'], { limits: { maxBodyBytes: 2048 } });
    const query = await server.post('/v1/chat?debug=1', { message: 'hi' });
    expect(query.status).toBe(400);
    expect(((await query.json()) as { error: { message: string } }).error.message).toMatch(/query string: Unrecognized key: "debug"/);
    const form = await server.post('/v1/chat', 'message=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const large = await server.post('/v1/chat', { message: 'x'.repeat(5000) });
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
    expect(server.llm.requests).toHaveLength(0);
  });
});
