import type { MiddlewareHandler } from 'hono';
import { ApiKeyFileVerifier } from './api-key-store.js';
import { ApiKeyVerifier, type Principal, type Role } from './api-keys.js';
import { refuseDevelopmentRequest } from './development-access.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { JwtVerifier, looksLikeJwt } from './jwt-auth.js';

const DEVELOPMENT_PRINCIPAL: Principal = { name: 'anonymous', role: 'admin', userIds: '*', bucketId: 'anonymous' };

/**
 * Authenticates every request: a bearer API key or JWT, or in development mode (`auth: 'none'`)
 * any loopback client addressing the server by a loopback name (`refuseDevelopmentRequest`).
 * No credential, an unknown key or an invalid token is 401; a refused development request is 403.
 */
export function authenticate(state: HandlerState): MiddlewareHandler<HandlerEnvironment> {
  const auth = state.options.auth;
  const keys = auth === 'none' || !auth.apiKeys ? undefined : new ApiKeyVerifier(auth.apiKeys);
  const keyFile = auth === 'none' || !auth.keysFile ? undefined : new ApiKeyFileVerifier(
          auth.keysFile,
          (message) => state.logger.error(message, { component: 'http' }),
          (message) => state.logger.warn(message, { component: 'http' }),
        );
  const tokens = auth === 'none' || !auth.jwt ? undefined : new JwtVerifier(auth.jwt);
  return async (context, next) => {
    if (auth === 'none') {
      const refusal = refuseDevelopmentRequest(
        {
          peerAddress: context.get('clientAddress'),
          host: context.req.header('host') ?? new URL(context.req.url).host,
          origin: context.req.header('origin'),
          header: (name) => context.req.header(name),
        },
        state.options,
      );
      if (refusal) throw new HttpApiError(403, refusal.code, refusal.message);
      context.set('principal', DEVELOPMENT_PRINCIPAL);
      context.set('credentialStillValid', () => true);
      return next();
    }
    const header = context.req.header('authorization');
    const challenge = { headers: { 'www-authenticate': 'Bearer' } };
    if (!header) throw new HttpApiError(401, 'missing_api_key', 'Send an API key as "Authorization: Bearer <key>"', challenge);
    const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
    if (!match) throw new HttpApiError(401, 'invalid_authorization', 'The Authorization header must be "Bearer <key>"', challenge);
    const credential = match[1]!;
    // Keys first (a hash lookup); only a credential that is no key and has a JWT's shape is verified as one.
    const configuredKey = keys?.verify(credential);
    const fileKey = configuredKey ? undefined : keyFile?.verify(credential);
    const principal = configuredKey ?? fileKey ?? (tokens && looksLikeJwt(credential) ? await tokens.verify(credential) : undefined);
    if (!principal) {
      if (!keys && !keyFile) throw new HttpApiError(401, 'invalid_token', 'The bearer token is not a JWT', challenge);
      // With JWTs configured, a well-formed token fails above with its own reason; this is neither key nor token.
      throw new HttpApiError(401, 'invalid_api_key', 'The API key is not valid', challenge);
    }
    context.set('principal', principal);
    context.set('credentialStillValid', credentialCheck(principal, fileKey && keyFile ? () => keyFile.verify(credential) !== undefined : undefined));
    return next();
  };
}

/**
 * How a long-lived connection re-checks its credential: a JWT until it expires; a key from the
 * key file while the file (re-read when it changes) still holds it; a configured key always,
 * since the configuration cannot change without a restart.
 */
function credentialCheck(principal: Principal, stillInKeyFile: (() => boolean) | undefined): () => boolean {
  const { expiresAt } = principal;
  if (expiresAt !== undefined) return () => Date.now() < expiresAt;
  return stillInKeyFile ?? (() => true);
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 };

/** 403 unless the caller's role is at least `needed` (viewer < user < admin). */
export function requireRole(principal: Principal, needed: Role, action: string): void {
  if (ROLE_RANK[principal.role] < ROLE_RANK[needed]) {
    throw new HttpApiError(403, 'forbidden_role', `A ${principal.role} key cannot ${action}; it needs the ${needed} role`);
  }
}

/**
 * The user a request acts for: the one asked for, if the key may act for it (else 403), or
 * the key's first user id when none is asked for (`default` for keys allowed any user).
 */
export function resolveUserId(principal: Principal, requested: string | undefined): string {
  if (principal.userIds === '*') return requested ?? 'default';
  if (requested === undefined) return principal.userIds[0]!;
  if (!principal.userIds.includes(requested)) {
    throw new HttpApiError(403, 'forbidden_user', `This API key may not act for user "${requested}"`, { param: 'userId' });
  }
  return requested;
}
