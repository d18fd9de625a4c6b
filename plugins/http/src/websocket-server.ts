import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Principal } from './api-keys.js';
import type { EntityHttpHandler } from './create-handler.js';
import type { HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_MESSAGE_CHARS } from './http-options.js';
import type { ResolvedWebSocketOptions } from './websocket-options.js';
import { BEARER_PROTOCOL_PREFIX, clientMessageReader, offeredProtocols, WEBSOCKET_PATH, WEBSOCKET_PROTOCOL } from './websocket-protocol.js';
import { UPGRADE_HOOK, type UpgradeHook } from './websocket-route.js';
import { type SessionContext, WebSocketSession } from './websocket-session.js';

/** The WebSocket endpoint attached to a Node server. */
export interface AttachedWebSocket {
  /** Open connections, handshakes being completed included. */
  readonly connections: number;
  /** Chat runs in progress on all connections. */
  readonly runs: number;
  /** Handshakes being checked by the handler; shutdown waits for them like for requests. */
  readonly handshakes: number;
  /** Resolves when no run and no handshake is in progress. */
  whenIdle(): Promise<void>;
  /** Closes every connection with 1001 ("going away"), cutting those that do not close within a second. */
  close(): Promise<void>;
}

/** A count and the promises waiting for it to reach zero. */
class Countdown {
  value = 0;
  private waiting: (() => void)[] = [];
  change(delta: number): void {
    this.value += delta;
    if (this.value === 0) for (const resolve of this.waiting.splice(0)) resolve();
  }
  whenZero(): Promise<void> {
    return this.value === 0 ? Promise.resolve() : new Promise((resolve) => this.waiting.push(resolve));
  }
}

function withinMs(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

/** The most of a refusal's body sent back: refusals are short JSON errors, and a stream must never be buffered. */
const MAX_REFUSAL_BODY_BYTES = 16_384;

async function boundedBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_REFUSAL_BODY_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).subarray(0, MAX_REFUSAL_BODY_BYTES).toString('utf8');
}

/** Answers a refused handshake with the handler's HTTP response, then ends the connection. */
async function refuseHandshake(socket: Duplex, response: Response): Promise<void> {
  const body = await boundedBody(response);
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'connection') lines.push(`${name}: ${value}`);
  });
  lines.push('connection: close', `content-length: ${Buffer.byteLength(body)}`);
  if (socket.writable) socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  socket.once('finish', () => socket.destroy());
}

function refusal(status: 400 | 404, code: string, message: string): Response {
  return new Response(JSON.stringify(new HttpApiError(status, code, message).body), { status, headers: { 'content-type': 'application/json' } });
}

/** The handshake as a Web request, with a subprotocol credential moved into `Authorization`. */
function handshakeRequest(request: IncomingMessage, signal: AbortSignal): Request | Response {
  const headers = new Headers();
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) headers.append(request.rawHeaders[index]!, request.rawHeaders[index + 1]!);
  const protocols = offeredProtocols(request.headers['sec-websocket-protocol']);
  const credentials = protocols.filter((protocol) => protocol.startsWith(BEARER_PROTOCOL_PREFIX));
  if (credentials.length > 0) {
    if (credentials.length > 1 || headers.has('authorization')) {
      return refusal(400, 'ambiguous_credentials', `Send one credential: an Authorization header or one "${BEARER_PROTOCOL_PREFIX}<key>" subprotocol`);
    }
    headers.set('authorization', `Bearer ${credentials[0]!.slice(BEARER_PROTOCOL_PREFIX.length)}`);
  }
  if (protocols.length > 0 && !protocols.includes(WEBSOCKET_PROTOCOL)) {
    return refusal(400, 'unsupported_protocol', `Offer the subprotocol "${WEBSOCKET_PROTOCOL}" (next to "${BEARER_PROTOCOL_PREFIX}<key>" when a browser authenticates)`);
  }
  // Only the path and query matter to the handler; the Host header stays as sent.
  const target = new URL(request.url ?? '/', 'http://localhost');
  return new Request(`http://localhost${target.pathname}${target.search}`, { method: request.method, headers, signal });
}

/**
 * Serves `/v1/ws` on `server`. Each handshake goes through the handler like an HTTP request
 * (rate limits, authentication, the route's role, Origin and connection-limit checks) and is
 * completed by `ws` only once the handler accepted it; a refusal is the handler's HTTP response.
 */
export function attachWebSocket(server: Server, app: EntityHttpHandler, state: HandlerState, options: ResolvedWebSocketOptions): AttachedWebSocket {
  const webSocketServer = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // Compression would let a small frame inflate into a large message, and costs memory per connection.
    perMessageDeflate: false,
    maxPayload: state.options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    handleProtocols: (protocols) => (protocols.has(WEBSOCKET_PROTOCOL) ? WEBSOCKET_PROTOCOL : false),
  });
  const connections = new Countdown();
  const runs = new Countdown();
  const handshakes = new Countdown();
  const connectionsPerPrincipal = new Map<string, number>();
  const releasePrincipalSlot = (bucketId: string) => {
    const held = (connectionsPerPrincipal.get(bucketId) ?? 1) - 1;
    if (held === 0) connectionsPerPrincipal.delete(bucketId);
    else connectionsPerPrincipal.set(bucketId, held);
  };
  const sessions = new Set<WebSocketSession>();
  const sessionsClosed = new Countdown();
  const context: SessionContext = {
    state,
    options,
    readMessage: clientMessageReader(state.options.limits?.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS),
    runsChanged: (delta) => runs.change(delta),
  };

  const upgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A client that resets mid-handshake must not take the process down.
    socket.on('error', (error) => state.logger.debug(`WebSocket handshake socket error: ${error.message}`, { component: 'http' }));
    // Any other route is HTTP only: an upgrade request must not reach it, where it would run
    // outside the server's request accounting, disconnect cancellation and shutdown deadline.
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname !== WEBSOCKET_PATH) {
      return refuseHandshake(socket, refusal(404, 'not_found', `No WebSocket endpoint at ${pathname}; WebSocket connections go to ${WEBSOCKET_PATH}`));
    }
    const left = new AbortController();
    socket.once('close', () => left.abort());
    const webRequest = handshakeRequest(request, left.signal);
    if (webRequest instanceof Response) return refuseHandshake(socket, webRequest);
    let principal: Principal | undefined;
    let credentialStillValid: () => boolean = () => false;
    let handshakeRequestId = '';
    const hook: UpgradeHook = {
      accept(accepted, stillValid, requestId) {
        if (connections.value >= options.maxConnections) {
          throw new HttpApiError(503, 'too_many_connections', `The server holds its maximum of ${options.maxConnections} WebSocket connections; retry later`, {
            headers: { 'retry-after': '5' },
          });
        }
        const held = connectionsPerPrincipal.get(accepted.bucketId) ?? 0;
        if (held >= options.maxConnectionsPerPrincipal) {
          throw new HttpApiError(429, 'too_many_connections_for_credential', `This credential holds its maximum of ${options.maxConnectionsPerPrincipal} WebSocket connections; close one first`, {
            headers: { 'retry-after': '5' },
          });
        }
        connectionsPerPrincipal.set(accepted.bucketId, held + 1);
        connections.change(1);
        principal = accepted;
        credentialStillValid = stillValid;
        handshakeRequestId = requestId;
      },
    };
    const response = await app.fetch(webRequest, { incoming: request, [UPGRADE_HOOK]: hook });
    if (!principal) return refuseHandshake(socket, response);
    const accepted = principal;
    // The slots are held until the TCP connection ends, however the handshake goes from here.
    const release = () => {
      connections.change(-1);
      releasePrincipalSlot(accepted.bucketId);
    };
    if (socket.destroyed) return release();
    socket.once('close', release);
    webSocketServer.handleUpgrade(request, socket, head, (webSocket) => {
      const session = new WebSocketSession(webSocket, accepted, context, credentialStillValid, handshakeRequestId);
      sessions.add(session);
      sessionsClosed.change(1);
      webSocket.once('close', () => {
        sessions.delete(session);
        sessionsClosed.change(-1);
      });
    });
  };
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    handshakes.change(1);
    upgrade(request, socket, head)
      .catch((error: unknown) => {
        state.logger.error(`WebSocket handshake failed: ${(error as Error)?.message ?? String(error)}`, { component: 'http' });
        socket.destroy();
      })
      .finally(() => handshakes.change(-1));
  });

  const pinger = setInterval(() => {
    for (const session of sessions) session.heartbeat();
  }, options.pingIntervalMs);
  pinger.unref();

  return {
    get connections() {
      return connections.value;
    },
    get runs() {
      return runs.value;
    },
    get handshakes() {
      return handshakes.value;
    },
    whenIdle: async () => {
      await handshakes.whenZero();
      await runs.whenZero();
    },
    async close() {
      clearInterval(pinger);
      // Runs cancelled by the shutdown send their last message; give them a moment to.
      await withinMs(runs.whenZero(), 1_000);
      for (const session of sessions) session.close(1001, 'the server is shutting down');
      await withinMs(sessionsClosed.whenZero(), 1_000);
      for (const session of sessions) session.terminate();
      await sessionsClosed.whenZero();
    },
  };
}
