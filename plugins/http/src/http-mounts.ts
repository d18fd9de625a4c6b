import type { Hono } from 'hono';
import { z } from 'zod';
import type { Principal, Role } from './api-keys.js';
import { resolveUserId } from './authorization.js';
import type { HandlerEnvironment } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';

/** What a mounted handler learns about the request beyond the `Request` itself. */
export interface HttpMountContext {
  /** Who is calling; undefined only on a `public` mount. */
  principal: Principal | undefined;
  /**
   * The user the request acts for: `requested` when the credential may act for it (else a 403
   * is thrown for you), or the credential's own user when none is asked for.
   */
  userIdFor(requested?: string): string;
  /** The request's id (`x-request-id`), to pass to the agent as the run's correlation id. */
  requestId: string;
  /** Aborted when the server gives up on in-flight work at shutdown. */
  signal: AbortSignal;
  /**
   * Aborted as soon as the server starts shutting down (it takes no new work): end long-lived
   * responses then (a live stream the client reconnects to), or the shutdown waits for them until
   * its deadline.
   */
  draining: AbortSignal;
}

/**
 * A Web-standard handler served under a path of the agent's HTTP server (MCP, A2A, a Studio),
 * behind the same credentials, rate limits, body-size limit and draining as the built-in routes.
 * Its responses get the serving layer's security headers where it sets none of its own (a page
 * sends its own Content-Security-Policy), and `cache-control: no-store` unless it sets one.
 */
export interface HttpMount {
  /** Where it is served: `/mcp` serves `/mcp` and everything below it. Must start with `/` and not be a built-in path. */
  path: string;
  /** Roles that may call it. Default: `['admin', 'user']` (viewers read only, so they are left out). */
  roles?: Role[];
  /**
   * Served without a credential (for discovery documents such as an A2A agent card). The
   * per-address rate limit and the body-size limit still apply. Default: false.
   */
  public?: boolean;
  /**
   * Headers of its protocol that browsers on other origins must be allowed to send (`request`)
   * and read (`response`) when the server's `cors` is on, such as MCP's `mcp-session-id`.
   */
  corsHeaders?: { request?: string[]; response?: string[] };
  handle(request: Request, context: HttpMountContext): Response | Promise<Response>;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const isHeaderList = (list: unknown) => list === undefined || (Array.isArray(list) && list.every((name) => typeof name === 'string' && HEADER_NAME.test(name)));

/** The CORS header lists of the built-in routes plus what the mounts declare, lower-cased and without repeats. */
export function corsHeaderLists(mounts: readonly HttpMount[], builtIn: { request: string[]; response: string[] }): { request: string[]; response: string[] } {
  const merge = (base: string[], extra: (mount: HttpMount) => string[] | undefined) => [
    ...new Set([...base, ...mounts.flatMap((mount) => extra(mount) ?? [])].map((name) => name.toLowerCase())),
  ];
  return { request: merge(builtIn.request, (mount) => mount.corsHeaders?.request), response: merge(builtIn.response, (mount) => mount.corsHeaders?.response) };
}

const RESERVED_PREFIXES = ['/v1', '/health', '/metrics', '/openapi', '/openapi.json'];
const ROLES: readonly Role[] = ['admin', 'user', 'viewer'];

const isMountPath = (path: unknown): path is string =>
  typeof path === 'string' &&
  /^\/[A-Za-z0-9._~\-/]*$/.test(path) &&
  !path.endsWith('/') &&
  // Empty, `.` and `..` segments never match a request (URLs arrive normalised): a dead mount.
  !path.split('/').slice(1).some((segment) => segment === '' || segment === '.' || segment === '..') &&
  !RESERVED_PREFIXES.some((prefix) => isUnder(path, prefix));

export const mountSchema = z.custom<HttpMount>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HttpMount).handle === 'function' &&
    isMountPath((value as HttpMount).path) &&
    // Checked, not coerced: `public: 'false'` (a string from an environment variable) would otherwise open the mount.
    ((value as HttpMount).public === undefined || typeof (value as HttpMount).public === 'boolean') &&
    ((value as HttpMount).roles === undefined ||
      (Array.isArray((value as HttpMount).roles) && (value as HttpMount).roles!.every((role) => ROLES.includes(role)))) &&
    ((value as HttpMount).corsHeaders === undefined ||
      (typeof (value as HttpMount).corsHeaders === 'object' &&
        (value as HttpMount).corsHeaders !== null &&
        isHeaderList((value as HttpMount).corsHeaders!.request) &&
        isHeaderList((value as HttpMount).corsHeaders!.response))),
  `must be { path, handle(request, context), roles?, public?, corsHeaders? } with a path such as "/mcp" (letters, digits, . _ ~ - /; no trailing slash, no empty, . or .. segment; not under ${RESERVED_PREFIXES.join(', ')}), roles a list of ${ROLES.join(', ')}, public true or false, and corsHeaders { request?, response? } lists of header names`,
);

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** The two route patterns of a mount: the path itself and everything below it. */
const patternsOf = (path: string) => [path, `${path}/*`];

/**
 * Registers public mounts. Called before authentication, so a public mount answers without a
 * credential (Hono stops at the first handler that returns a response).
 */
export function registerPublicMounts(app: Hono<HandlerEnvironment>, mounts: readonly HttpMount[], signal: AbortSignal, draining: AbortSignal): void {
  for (const mount of mounts.filter((each) => each.public)) {
    for (const pattern of patternsOf(mount.path)) {
      app.all(pattern, (context) => {
        context.set('mountAnswered', true);
        return mount.handle(context.req.raw, {
          principal: undefined,
          userIdFor: () => {
            throw new HttpApiError(401, 'missing_api_key', 'This endpoint is public and acts for no user; send an API key to act for one');
          },
          requestId: context.get('requestId'),
          signal,
          draining,
        });
      });
    }
  }
}

/** Registers the mounts that need a credential; called after authentication. */
export function registerAuthenticatedMounts(app: Hono<HandlerEnvironment>, mounts: readonly HttpMount[], signal: AbortSignal, draining: AbortSignal): void {
  for (const mount of mounts.filter((each) => !each.public)) {
    const roles = mount.roles ?? ['admin', 'user'];
    for (const pattern of patternsOf(mount.path)) {
      app.all(pattern, (context) => {
        const principal = context.get('principal');
        if (!roles.includes(principal.role)) {
          throw new HttpApiError(403, 'forbidden_role', `A ${principal.role} key cannot call ${mount.path}; allowed roles: ${roles.join(', ')}`);
        }
        context.set('mountAnswered', true);
        return mount.handle(context.req.raw, {
          principal,
          userIdFor: (requested) => resolveUserId(principal, requested),
          requestId: context.get('requestId'),
          signal,
          draining,
        });
      });
    }
  }
}

/**
 * Two mounts on one path, or one under another (`/a` and `/a/b`), would shadow each other
 * silently: a public `/a` would answer `/a/b` requests meant for a mount behind credentials.
 */
export function duplicateMountPath(mounts: readonly HttpMount[]): string | undefined {
  for (const [index, { path }] of mounts.entries()) {
    for (const other of mounts.slice(index + 1)) {
      if (isUnder(path, other.path) || isUnder(other.path, path)) return path === other.path ? path : `${path} and ${other.path}`;
    }
  }
  return undefined;
}
