import { afterEach, describe, expect, it } from 'vitest';
import { STREAM_TICKET } from '../src/openapi-streaming-paths.js';
import { bearer, KEYS, parseSse, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

type ErrorBody = { error: { code: string; message: string } };

describe('EventSource streams: POST /v1/chat/streams, then GET the ticket URL', () => {
  it('checks the caller when minting, then streams the turn to a GET without headers, once', async () => {
    server = await startTestServer(['Streamed for EventSource.']);
    expect((await server.post('/v1/chat/streams', { message: 'hi' }, { authorization: '' })).status).toBe(401);
    expect(((await (await server.post('/v1/chat/streams', { message: 'hi' }, bearer(KEYS.viewer))).json()) as ErrorBody).error.code).toBe('forbidden_role');
    expect(((await (await server.post('/v1/chat/streams', { message: 'hi', userId: 'bob' }, bearer(KEYS.alice))).json()) as ErrorBody).error.code).toBe('forbidden_user');
    expect(((await (await server.post('/v1/chat/streams', { message: 'hi', extra: 1 }, bearer(KEYS.alice))).json()) as ErrorBody).error.code).toBe('validation_failed');

    const minted = await server.post('/v1/chat/streams', { message: 'hi', conversationId: 'es' }, bearer(KEYS.alice));
    expect(minted.status).toBe(201);
    const { url, expiresInSeconds } = (await minted.json()) as { url: string; expiresInSeconds: number };
    expect(url).toMatch(/^\/v1\/chat\/streams\/[\w-]{43}$/);
    expect(expiresInSeconds).toBe(30);
    expect(server.llm.requests).toHaveLength(0); // nothing runs until the stream is opened

    const stream = await fetch(server.url(url), { headers: { accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { messages } = parseSse(await stream.text());
    expect(messages.map((message) => message.event)).toContain('token');
    expect(JSON.parse(messages.at(-1)!.data)).toMatchObject({ type: 'done', text: 'Streamed for EventSource.', info: { userId: 'alice', conversationId: 'es' } });

    const replayed = await fetch(server.url(url));
    expect(replayed.status).toBe(404);
    expect(((await replayed.json()) as ErrorBody).error.code).toBe('stream_not_found');
    expect(server.llm.requests).toHaveLength(1);
  });

  it('refuses unknown tickets and query strings, and takes no key on the GET', async () => {
    server = await startTestServer(['unused']);
    expect((await fetch(server.url('/v1/chat/streams/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), { headers: bearer(KEYS.admin) })).status).toBe(404);
    const { url } = (await (await server.post('/v1/chat/streams', { message: 'hi' })).json()) as { url: string };
    expect((await fetch(server.url(`${url}?token=x`))).status).toBe(400);
    expect(server.llm.requests).toHaveLength(0);
  });
});

describe('the OpenAPI document', () => {
  it('describes the stream ticket routes and the WebSocket endpoint, and the ticket body as sent', async () => {
    server = await startTestServer(['unused']);
    const document = (await (await fetch(server.url('/openapi.json'), { headers: bearer(KEYS.viewer) })).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/chat/streams', '/v1/chat/streams/{ticket}', '/v1/ws']));
    const body = await (await server.post('/v1/chat/streams', { message: 'hi' })).json();
    expect(STREAM_TICKET.strict().parse(body)).toEqual(body);
  });
});
