import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Agent, ConfigError } from '@entity/core';
import { createAdaptorServer } from '@hono/node-server';
import { isLoopbackHost } from './client-address.js';
import { buildHandler } from './create-handler.js';
import { parseServeOptions, type ServeHttpOptions } from './http-options.js';
import { resolveWebSocketOptions } from './websocket-options.js';
import { WEBSOCKET_PATH } from './websocket-protocol.js';
import { attachWebSocket } from './websocket-server.js';

/** A running server. */
export interface HttpServerHandle {
  /** Base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The Node server, for what the handle does not cover. */
  readonly server: Server;
  /** Requests being answered now (streams count until they end). */
  readonly inFlight: number;
  /** The WebSocket endpoint, when `websocket` is on. */
  readonly websocket: WebSocketEndpoint | undefined;
  /**
   * Graceful shutdown: stops accepting connections, answers new requests on open ones with 503,
   * lets in-flight requests finish for up to `shutdownTimeoutMs`, then cancels what is left and
   * stops the agent. Safe to call more than once.
   */
  close(): Promise<void>;
}

/** The WebSocket endpoint of a running server. */
export interface WebSocketEndpoint {
  /** e.g. `ws://127.0.0.1:3000/v1/ws`. */
  readonly url: string;
  /** Open connections. */
  readonly connections: number;
  /** Chat runs in progress over WebSocket. */
  readonly runs: number;
}

const DEFAULT_PORT = 3000;
const DEFAULT_HOST = '127.0.0.1';

/**
 * Starts the agent first (a broken config fails here, not on the first request), then serves
 * `createHandler`'s app on Node. This is what `agent.serveHttp()` and `entity serve` call.
 */
export async function serveHttp(agent: Agent, rawOptions: ServeHttpOptions): Promise<HttpServerHandle> {
  const options = parseServeOptions(rawOptions);
  const host = options.host ?? DEFAULT_HOST;
  if (options.auth === 'none' && !isLoopbackHost(host)) {
    throw new ConfigError([
      {
        path: 'http.host',
        message: `auth: 'none' (no authentication) may only bind to a loopback address; got host "${host}"`,
        fix: 'configure auth.apiKeys, or bind to 127.0.0.1',
      },
    ]);
  }
  const { host: _host, port: _port, shutdownTimeoutMs: _timeout, requestReceiveTimeoutMs: _receive, stopAgent: _stop, websocket: _websocket, ...handlerOptions } = options;
  const { app, state } = buildHandler(agent, handlerOptions);
  await agent.start();

  const requestTimeout = options.requestReceiveTimeoutMs ?? 30_000;
  const server = createAdaptorServer({
    fetch: app.fetch,
    // A library must not replace the process's global Request and Response.
    overrideGlobalObjects: false,
    serverOptions: {
      requestTimeout,
      headersTimeout: Math.min(requestTimeout, 20_000),
      // Node checks those timeouts every 30 s by default, far too coarse for a 30 s budget.
      connectionsCheckingInterval: Math.min(1_000, requestTimeout),
    },
  }) as Server;
  const websocketOptions = resolveWebSocketOptions(options.websocket);
  const websocket = websocketOptions ? attachWebSocket(server, app, state, websocketOptions) : undefined;
  let inFlight = 0;
  let idle: (() => void) | undefined;
  server.on('request', (_request, response) => {
    inFlight++;
    response.once('close', () => {
      inFlight--;
      if (state.draining) server.closeIdleConnections();
      if (inFlight === 0) idle?.();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = async () => {
    state.draining = true;
    state.drain.abort();
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const busy = () => inFlight > 0 || (websocket?.runs ?? 0) > 0 || (websocket?.handshakes ?? 0) > 0;
    if (busy()) {
      let timer: NodeJS.Timeout | undefined;
      const httpIdle = new Promise<void>((resolve) => {
        idle = resolve;
        if (inFlight === 0) resolve();
      });
      await Promise.race([
        Promise.all([httpIdle, websocket?.whenIdle()]),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, options.shutdownTimeoutMs ?? 10_000);
        }),
      ]);
      clearTimeout(timer);
    }
    if (busy()) {
      state.logger.warn(`shutdown deadline passed with ${inFlight} request(s) and ${websocket?.runs ?? 0} WebSocket run(s) in flight; cancelling them`);
      state.shutdown.abort();
      // Cancelled runs answer quickly; connections that still hang are cut.
      setTimeout(() => server.closeAllConnections(), 1_000).unref();
    }
    await websocket?.close();
    await stopped;
    if (options.stopAgent !== false) await agent.stop();
  };

  const websocketEndpoint: WebSocketEndpoint | undefined = websocket && {
    url: `ws://${urlHost}:${address.port}${WEBSOCKET_PATH}`,
    get connections() {
      return websocket.connections;
    },
    get runs() {
      return websocket.runs;
    },
  };
  return {
    url: `http://${urlHost}:${address.port}`,
    websocket: websocketEndpoint,
    host: address.address,
    port: address.port,
    server,
    get inFlight() {
      return inFlight;
    },
    close() {
      closing ??= close();
      return closing;
    },
  };
}
