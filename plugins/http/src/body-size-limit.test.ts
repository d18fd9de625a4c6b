import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { limitBodySize } from './body-size-limit.js';

/** Counts reads of a request's `body` stream (on @hono/node-server each read builds a full Request). */
function countBodyReads(request: Request): () => number {
  const bodyOfRequest = Object.getOwnPropertyDescriptor(Request.prototype, 'body')!.get!;
  let reads = 0;
  Object.defineProperty(request, 'body', {
    get() {
      reads++;
      return bodyOfRequest.call(request);
    },
  });
  return () => reads;
}

function app(): Hono {
  const hono = new Hono();
  hono.onError((error, context) => context.json({ error: error.message }, (error as { status?: 413 }).status ?? 500));
  hono.use(limitBodySize(16));
  hono.post('/', async (context) => context.json(await context.req.json()));
  return hono;
}

describe('limitBodySize', () => {
  it('checks a declared Content-Length without touching the body stream', async () => {
    const request = new Request('http://localhost/', { method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json', 'content-length': '7' } });
    const bodyReads = countBodyReads(request);
    const response = await app().fetch(request);
    expect(await response.json()).toEqual({ a: 1 });
    expect(bodyReads()).toBe(0);
  });

  it('still refuses a declared Content-Length over the limit, and a chunked body that grows over it', async () => {
    const declared = await app().fetch(new Request('http://localhost/', { method: 'POST', body: '{"a":"0123456789abcdef"}', headers: { 'content-length': '24' } }));
    expect(declared.status).toBe(413);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":"0123456789abcdef"}'));
        controller.close();
      },
    });
    const chunked = await app().fetch(new Request('http://localhost/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit));
    expect(chunked.status).toBe(413);
  });
});
