import type { Agent } from '@entity/core';
import type { ServeHttpOptions } from './http-options.js';
import { type HttpServerHandle, serveHttp } from './serve-http.js';

/**
 * `serveHttp` with the WebSocket endpoint on (`/v1/ws`, next to the HTTP API on the same port):
 * what `agent.serveWebSocket()` calls. `websocket` takes the endpoint's options; default `true`.
 */
export function serveWebSocket(agent: Agent, options: ServeHttpOptions): Promise<HttpServerHandle> {
  return serveHttp(agent, { ...options, websocket: options?.websocket ?? true });
}
