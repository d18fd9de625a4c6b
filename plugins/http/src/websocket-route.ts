import type { Hono } from 'hono';
import type { Principal } from './api-keys.js';
import { requireRole } from './authorization.js';
import { isLoopbackHost } from './client-address.js';
import { corsAllowsOrigin } from './cors-origins.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { readQuery } from './request-validation.js';
import { WEBSOCKET_PATH } from './websocket-protocol.js';

/** How the Node upgrade listener learns that the handler accepted a handshake. */
export interface UpgradeHook {
  /**
   * Takes a connection slot for `principal`; throws a 503 HttpApiError when none is free.
   * `credentialStillValid` is asked again during the connection's life (revoked key, expired JWT);
   * `handshakeRequestId` (the handshake's `x-request-id`/`traceparent`) prefixes its runs' correlation ids.
   */
  accept(principal: Principal, credentialStillValid: () => boolean, handshakeRequestId: string): void;
}

/** Key of the hook in the host environment that `app.fetch(request, env)` receives. */
export const UPGRADE_HOOK = Symbol('entity.websocket-upgrade');

/**
 * Browsers send `Origin` with every WebSocket handshake but apply no CORS to it, so the server
 * must refuse foreign pages itself, or any site a user visits could talk to the agent through
 * the user's browser. Allowed: no Origin (not a browser), an origin `cors.origins` allows
 * (`corsAllowsOrigin`: `*` for any, except without authentication), or the server's own origin. Without authentication (development mode) the own origin
 * counts only under a loopback name, so a DNS-rebound foreign name cannot pass as it.
 */
export function isOriginAllowed(origin: string | undefined, host: string | undefined, state: HandlerState): boolean {
  if (origin === undefined) return true;
  if (corsAllowsOrigin(state.options, origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and garbage
  }
  if (host === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return false;
  if (parsed.host !== host.toLowerCase()) return false;
  return state.options.auth !== 'none' || isLoopbackHost(parsed.hostname);
}

/**
 * `GET /v1/ws`: the handshake passes the handler's middleware like any request (draining 503,
 * per-IP and per-key rate limits, authentication), then the checks here. Only then does the
 * Node listener (`websocket-server.ts`) complete the upgrade. Hosts without that listener
 * (a plain `fetch` handler) answer 426.
 */
export function registerWebSocketRoute(app: Hono<HandlerEnvironment>, state: HandlerState): void {
  app.get(WEBSOCKET_PATH, (context) => {
    const hook = (context.env as Record<symbol, UpgradeHook | undefined> | undefined)?.[UPGRADE_HOOK];
    if (!hook) {
      throw new HttpApiError(426, 'upgrade_required', `${WEBSOCKET_PATH} is a WebSocket endpoint: open it with a WebSocket client on a server started with serveHttp({ websocket: true })`, {
        headers: { upgrade: 'websocket' },
      });
    }
    // Credentials never travel in the URL (it ends up in logs and browser history).
    readQuery(context);
    const principal = context.get('principal');
    requireRole(principal, 'user', 'chat over WebSocket');
    if (!isOriginAllowed(context.req.header('origin'), context.req.header('host'), state)) {
      throw new HttpApiError(403, 'forbidden_origin', `Origin ${context.req.header('origin')} may not open WebSocket connections; add it to cors.origins to allow it`);
    }
    hook.accept(principal, context.get('credentialStillValid'), context.get('requestId'));
    return context.body(null, 204);
  });
}
