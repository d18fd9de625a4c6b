import { z } from 'zod';

/**
 * The WebSocket endpoint (`/v1/ws`) of `serveHttp`, on the same server and port as the HTTP API.
 * `true` turns it on with the defaults below.
 */
export interface WebSocketOptions {
  /**
   * Open connections at most; the next handshake gets 503 `too_many_connections`. Default: 1 000.
   * Each connection may hold up to `maxBufferedBytes` of unsent output, so this bounds memory.
   */
  maxConnections?: number;
  /**
   * Open connections one credential (API key, JWT subject, or everyone in development mode) may
   * hold; the next handshake with it gets 429 `too_many_connections_for_credential`. Default: 10,
   * plenty for a user's tabs and devices, so one low-privilege key cannot take every slot of
   * `maxConnections` and lock out the others. Each connection may run `maxRunsPerConnection` chats.
   */
  maxConnectionsPerPrincipal?: number;
  /** Chat runs one connection may have in progress at once; more get a `too_many_runs` error. Default: 8. */
  maxRunsPerConnection?: number;
  /**
   * Unsent output a connection may hold (its `bufferedAmount`), checked before each message: a
   * client that stops reading is dropped (the connection is cut and its runs are cancelled)
   * instead of being buffered for without bound. Default: 1 MiB, far above what a reading
   * client ever has waiting. Set it above your largest single answer.
   */
  maxBufferedBytes?: number;
  /**
   * Interval of WebSocket ping frames. A peer that has not answered the previous ping when the
   * next is due is cut and its runs are cancelled, so dead peers (a laptop that slept, a dropped
   * mobile network) do not hold connections and runs. Browsers answer pings on their own.
   * Default: 30 000 ms.
   */
  pingIntervalMs?: number;
}

export type ResolvedWebSocketOptions = Required<WebSocketOptions>;

export const DEFAULT_WEBSOCKET_OPTIONS: ResolvedWebSocketOptions = {
  maxConnections: 1_000,
  maxConnectionsPerPrincipal: 10,
  maxRunsPerConnection: 8,
  maxBufferedBytes: 1_048_576,
  pingIntervalMs: 30_000,
};

export const websocketOptionsSchema = z.union([
  z.boolean(),
  z.strictObject({
    maxConnections: z.number().int().min(1).optional(),
    maxConnectionsPerPrincipal: z.number().int().min(1).optional(),
    maxRunsPerConnection: z.number().int().min(1).optional(),
    maxBufferedBytes: z.number().int().min(1_024).optional(),
    pingIntervalMs: z.number().int().min(10).optional(),
  }),
]);

/** The options with defaults filled in, or undefined when the endpoint is off. */
export function resolveWebSocketOptions(options: WebSocketOptions | boolean | undefined): ResolvedWebSocketOptions | undefined {
  if (options === undefined || options === false) return undefined;
  return { ...DEFAULT_WEBSOCKET_OPTIONS, ...(options === true ? {} : options) };
}
