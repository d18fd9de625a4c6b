import { isLoopbackAddress, isLoopbackHost } from './client-address.js';
import { corsAllowsOrigin } from './cors-origins.js';
import type { HttpHandlerOptions } from './http-options.js';

/**
 * Headers a reverse proxy adds. Under `auth: 'none'` their presence means the loopback peer is
 * a proxy relaying clients from anywhere, so the peer address says nothing about the caller.
 */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-real-ip', 'cf-connecting-ip', 'true-client-ip'] as const;

/** What a development-mode (`auth: 'none'`) request looks like to the guard. */
export interface DevelopmentRequest {
  /** The TCP peer, when the host reports it. */
  readonly peerAddress: string | undefined;
  /** The `Host` header, or the URL's host when the host adapter sent none. */
  readonly host: string | undefined;
  readonly origin: string | undefined;
  readonly header: (name: string) => string | undefined;
}

/** Why a request may not be served without authentication: an error code and message. */
export interface DevelopmentRefusal {
  code: 'loopback_only' | 'forbidden_host' | 'forbidden_origin' | 'proxied_request';
  message: string;
}

/** True when `origin` is an http(s) origin under a loopback name (`http://localhost:5173`). */
export function isLoopbackOrigin(origin: string): boolean {
  try {
    const parsed = new URL(origin);
    return (parsed.protocol === 'http:' || parsed.protocol === 'https:') && isLoopbackHost(parsed.hostname);
  } catch {
    return false; // "null" (sandboxed frames, file: pages) and garbage
  }
}

/** The host name of a `Host` header value (`[::1]:3000` → `[::1]`, `localhost:3000` → `localhost`). */
function hostName(host: string): string {
  const bracketEnd = host.indexOf(']');
  if (host.startsWith('[')) return bracketEnd === -1 ? host : host.slice(0, bracketEnd + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/**
 * The checks that keep `auth: 'none'` a loopback-only development server: the peer must be
 * loopback (an unknown peer fails closed unless `allowUnauthenticatedWithoutPeerAddress`), no
 * proxy may sit in front (forwarding headers), the `Host` must be a loopback name (else a page
 * on a DNS-rebound name such as `rebind.attacker:3000` reaches this server from the user's
 * browser), and a browser's `Origin` must be a loopback origin or one listed in `cors.origins`
 * (`*` does not count: without keys it would hand every web page the admin role).
 */
export function refuseDevelopmentRequest(request: DevelopmentRequest, options: HttpHandlerOptions): DevelopmentRefusal | undefined {
  const served = 'This server runs without authentication (development mode) and only serves this machine';
  if (request.peerAddress === undefined) {
    if (!options.allowUnauthenticatedWithoutPeerAddress) {
      return {
        code: 'loopback_only',
        message: `${served}, but this host does not report the client's address; configure auth, or set allowUnauthenticatedWithoutPeerAddress if only this machine can reach the host`,
      };
    }
  } else if (!isLoopbackAddress(request.peerAddress)) {
    return { code: 'loopback_only', message: served };
  }
  const forwarded = FORWARDING_HEADERS.find((name) => request.header(name) !== undefined);
  if (forwarded) {
    return { code: 'proxied_request', message: `${served}; the request came through a proxy (${forwarded} header), so it may come from anywhere. Configure auth to serve behind a proxy` };
  }
  if (request.host === undefined || !isLoopbackHost(hostName(request.host.toLowerCase()))) {
    return { code: 'forbidden_host', message: `${served}; the Host header must be a loopback name (localhost, 127.0.0.1, [::1]), got "${request.host ?? ''}"` };
  }
  if (request.origin !== undefined && !isLoopbackOrigin(request.origin) && !corsAllowsOrigin(options, request.origin)) {
    return { code: 'forbidden_origin', message: `${served}; Origin ${request.origin} is not a loopback origin. List it in cors.origins to allow it` };
  }
  return undefined;
}
