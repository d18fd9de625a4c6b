import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { RecordedRequest, Responder, ScriptedReply } from './scripted-reply.js';

/** What every provider server offers tests: its address, the requests it saw, and a script. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>` — the server listens on an ephemeral loopback port. */
  readonly origin: string;
  /** Every request received, in order (including rejected ones). */
  readonly requests: RecordedRequest[];
  /** Replies used by the next model calls, first in first out, before the responder. */
  enqueue(...replies: ScriptedReply[]): this;
  /** The reply (or function deciding it) used when the queue is empty. */
  respondWith(responder: Responder | ScriptedReply): this;
  /** Model calls received (chat/messages/embeddings), excluding listing and health endpoints. */
  readonly modelCalls: RecordedRequest[];
  /** TCP connections accepted so far (keep-alive reuse shows as fewer connections than requests). */
  readonly connectionCount: number;
  /** Forgets recorded requests, queued replies and the responder. */
  reset(): void;
  /** Stops listening and cuts open connections (including streams in progress). */
  close(): Promise<void>;
}

/** One in-flight HTTP exchange, with helpers that stay quiet once the client has gone away. */
export class Exchange {
  closed = false;
  constructor(
    readonly request: RecordedRequest,
    readonly response: ServerResponse,
  ) {
    response.on('close', () => {
      this.closed = true;
    });
    response.on('error', () => {
      this.closed = true;
    });
  }

  /** Waits `ms`, returning early when the client disconnects. */
  wait(ms: number | undefined): Promise<void> {
    if (!ms || ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.response.once('close', done);
    });
  }

  json(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.raw(status, JSON.stringify(body), { 'content-type': 'application/json', ...headers });
  }

  raw(status: number, body: string, headers: Record<string, string>): void {
    if (this.closed || this.response.headersSent) return;
    this.response.writeHead(status, { 'content-length': Buffer.byteLength(body).toString(), ...headers });
    this.response.end(body);
  }

  /** Starts a streamed response (SSE or NDJSON). */
  startStream(contentType: string, headers: Record<string, string> = {}): void {
    if (this.closed) return;
    this.response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
    this.response.flushHeaders();
  }

  write(chunk: string): void {
    if (!this.closed) this.response.write(chunk);
  }

  end(): void {
    if (!this.closed) this.response.end();
  }

  /** Destroys the socket mid-response, like a crashed upstream or a dropped connection. */
  disconnect(): void {
    this.closed = true;
    this.response.socket?.destroy();
  }
}

export type RouteHandler = (exchange: Exchange, server: LoopbackServerInternals) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'POST' | 'HEAD';
  path: string;
  /** Counts as a model call (`modelCalls`). */
  modelCall?: boolean;
  handler: RouteHandler;
}

export interface LoopbackServerInternals {
  /** The queued reply, or the responder's. */
  nextReply(request: RecordedRequest): Promise<ScriptedReply>;
}

export interface LoopbackServerSpec {
  routes: Route[];
  /** Answers unknown paths in the provider's error format. */
  notFound(exchange: Exchange): void;
  defaultReply: ScriptedReply;
}

const MAX_BODY_BYTES = 20 * 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Starts a loopback HTTP server for `spec` on 127.0.0.1 and an ephemeral port. */
export async function startLoopbackServer(spec: LoopbackServerSpec): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const modelCalls: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  let responder: Responder = () => spec.defaultReply;
  const sockets = new Set<Socket>();
  let connectionCount = 0;

  const internals: LoopbackServerInternals = {
    async nextReply(request) {
      const queued = queue.shift();
      return queued ?? (await responder(request));
    },
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    let rawBody = '';
    try {
      rawBody = await readBody(request);
    } catch {
      response.destroy();
      return;
    }
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      headers: request.headers,
      body: parseJson(rawBody),
      rawBody,
    };
    requests.push(recorded);
    const exchange = new Exchange(recorded, response);
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const route = spec.routes.find((candidate) => candidate.path === path && candidate.method === recorded.method);
    try {
      if (!route) {
        spec.notFound(exchange);
        return;
      }
      if (route.modelCall) modelCalls.push(recorded);
      await route.handler(exchange, internals);
    } catch (error) {
      // A bug in a test server must show up as a loud 500, never as a hung test.
      exchange.json(500, { error: { message: `test server failure: ${(error as Error).message}` } });
    }
  });
  server.on('connection', (socket) => {
    connectionCount++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const handle: LoopbackServer = {
    origin: `http://127.0.0.1:${port}`,
    requests,
    modelCalls,
    get connectionCount() {
      return connectionCount;
    },
    enqueue(...replies) {
      queue.push(...replies);
      return handle;
    },
    respondWith(next) {
      responder = typeof next === 'function' ? next : () => next;
      return handle;
    },
    reset() {
      requests.length = 0;
      modelCalls.length = 0;
      connectionCount = 0;
      queue.length = 0;
      responder = () => spec.defaultReply;
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      });
    },
  };
  return handle;
}

/** The `retry-after` / `retry-after-ms` headers of a scripted error. */
export function retryHeaders(error: { retryAfter?: number | string; retryAfterMs?: number }): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers['retry-after'] = String(error.retryAfter);
  if (error.retryAfterMs !== undefined) headers['retry-after-ms'] = String(error.retryAfterMs);
  return headers;
}

/** `messages[2].content` style path for validation messages. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text.length === 0 ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
