import type { MiddlewareHandler } from 'hono';
import { HttpApiError } from './http-errors.js';

/**
 * 413 for a body over `maxBytes`. A declared `Content-Length` is checked before anything is read;
 * a body of unknown length (chunked) is read up to the limit and handed on as bytes.
 *
 * Hono's own `bodyLimit` rebuilds the request with `new Request(request, init)`, which throws for
 * the request objects `@hono/node-server` makes without overriding the global classes (what
 * `serveHttp` does), so every chunked POST became a 500. Here the request is rebuilt from its
 * parts, keeping its abort signal, so a client that goes away still cancels its run.
 */
export function limitBodySize(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => new HttpApiError(413, 'body_too_large', `The body is larger than ${maxBytes} bytes`);
  return async (context, next) => {
    const request = context.req.raw;
    // GET and HEAD requests carry no body. The headers are checked before `request.body` is
    // touched: on @hono/node-server that getter turns the lightweight request into a full
    // `Request` on every call, work a body of declared length (and the route's own read) never needs.
    if (request.method === 'GET' || request.method === 'HEAD') return next();
    if (request.headers.has('content-length') && !request.headers.has('transfer-encoding')) {
      if (Number(request.headers.get('content-length')) > maxBytes) throw tooLarge();
      return next();
    }
    if (!request.body) return next();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge();
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
    context.req.raw = new Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, ...(hasBody ? { body } : {}) });
    return next();
  };
}
