import { afterEach, describe, expect, it } from 'vitest';
import { bearer, KEYS, startTestServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.handle.close();
  server = undefined;
});

/** A body sent with `Transfer-Encoding: chunked` (no Content-Length), in pieces. */
function chunked(text: string, pieces = 3): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const size = Math.ceil(bytes.length / pieces);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}

const post = (body: ReadableStream<Uint8Array>) =>
  fetch(server!.url('/v1/chat'), { method: 'POST', headers: { ...bearer(KEYS.admin), 'content-type': 'application/json' }, body, duplex: 'half' } as RequestInit);

describe('bodies of unknown length (chunked)', () => {
  it('are read and answered like any other body', async () => {
    server = await startTestServer(['Got it in pieces.']);
    const response = await post(chunked(JSON.stringify({ message: 'sent in pieces', conversationId: 'chunks' })));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text).toBe('Got it in pieces.');
    expect(server.llm.requests[0]!.messages.at(-1)).toMatchObject({ role: 'user', content: 'sent in pieces' });
  });

  it('get 413 once they pass the limit, and nothing reaches the agent', async () => {
    server = await startTestServer(['unused'], { limits: { maxBodyBytes: 2048 } });
    const response = await post(chunked(JSON.stringify({ message: 'x'.repeat(10_000) }), 10));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('body_too_large');
    expect(server.llm.requests).toHaveLength(0);
  });
});
