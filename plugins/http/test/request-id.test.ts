import { definePlugin } from '@entity/core';
import { afterEach, describe, expect, it } from 'vitest';
import { bearer, KEYS, startTestServer, type TestServer } from './helpers.js';
import { connect } from './websocket-client.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

/** A plugin that logs through the run's logger, as any plugin does: its entries carry the run's correlation id. */
const noter = definePlugin({ name: 'noter', kind: 'prompt', execute: (context) => context.log.info('noted') });

const correlationIdsOfNotes = (test: TestServer) => test.logger.entries.filter((entry) => entry.message === 'noted').map((entry) => entry.correlationId);

describe('request ids', () => {
  it('makes an incoming x-request-id the run correlation id and echoes it', async () => {
    server = await startTestServer(['one', 'two'], {}, { plugins: [noter] });
    const response = await server.post('/v1/chat', { message: 'hi' }, { 'x-request-id': 'req-123.abc' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-123.abc');
    const streamed = await server.post('/v1/chat/completions', { model: 'test-agent', stream: true, messages: [{ role: 'user', content: 'hi' }] }, { 'x-request-id': 'req-stream' });
    expect(streamed.headers.get('x-request-id')).toBe('req-stream');
    await streamed.text();
    expect(correlationIdsOfNotes(server)).toEqual(['req-123.abc', 'req-stream']);
  });

  it('uses the trace id of a W3C traceparent when there is no x-request-id', async () => {
    server = await startTestServer(['one'], {}, { plugins: [noter] });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await server.post('/v1/chat', { message: 'hi' }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    expect(response.headers.get('x-request-id')).toBe(traceId);
    expect(correlationIdsOfNotes(server)).toEqual([traceId]);
  });

  it('generates an id when none (or an invalid traceparent) is sent, on every response, errors included', async () => {
    server = await startTestServer(['one'], {}, { plugins: [noter] });
    const response = await server.post('/v1/chat', { message: 'hi' }, { traceparent: '00-zz-not-a-trace' });
    const generated = response.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(correlationIdsOfNotes(server)).toEqual([generated]);
    const unauthorized = await fetch(server.url('/v1/agent'));
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an x-request-id that is too long or could forge log lines (400)', async () => {
    server = await startTestServer(['unused'], {}, { plugins: [noter] });
    for (const bad of ['x'.repeat(129), 'id with spaces', 'id"quote', '']) {
      const response = await fetch(server.url('/v1/agent'), { headers: { ...bearer(KEYS.admin), 'x-request-id': bad } });
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { param: string } }).error.param).toBe('x-request-id');
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(server.llm.requests).toHaveLength(0);
  });

  it('is the correlation id of /v1/ui/chat, of a stream ticket (taken when minted) and of WebSocket runs', async () => {
    server = await startTestServer(['one', 'two', 'three'], { websocket: true }, { plugins: [noter] });
    const ui = await server.post(
      '/v1/ui/chat',
      { id: 'c1', trigger: 'submit-message', messages: [{ id: 'm1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }] },
      { 'x-request-id': 'req-ui' },
    );
    await ui.text();
    const minted = await server.post('/v1/chat/streams', { message: 'hi' }, { 'x-request-id': 'req-ticket' });
    const { url } = (await minted.json()) as { url: string };
    await (await fetch(server.url(url))).text();
    const client = await connect(server.handle.websocket!.url, { protocols: ['entity.v1'], headers: { ...bearer(KEYS.admin), 'x-request-id': 'req-ws' } });
    client.send({ type: 'chat', id: 'q1', message: 'hi' });
    await client.run('q1');
    await client.close();
    expect(correlationIdsOfNotes(server)).toEqual(['req-ui', 'req-ticket', 'req-ws/q1']);
  });
});
