import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '@entity/core';
import { createLocalJWKSet, createRemoteJWKSet, errors, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { Principal, Role } from './api-keys.js';
import { isLoopbackHost } from './client-address.js';
import { HttpApiError } from './http-errors.js';

/** The signature algorithms accepted. Symmetric and asymmetric ones are never mixed for one key (no algorithm confusion). */
export type JwtAlgorithm = 'HS256' | 'RS256' | 'ES256';

/**
 * JSON Web Tokens sent as `Authorization: Bearer <jwt>`, verified with `jose`. Give exactly one
 * of `secret`, `publicKey`, `jwksFile` or `jwksUrl`. `sub` becomes the user id; `exp` is
 * required; `iss` and `aud` must match.
 */
export interface JwtAuthConfig {
  /** Shared secret for HS256, at least 32 characters (RFC 7518 wants as many bytes as the hash). */
  secret?: string;
  /** PEM public key (SPKI, `-----BEGIN PUBLIC KEY-----`): an RSA key means RS256, a P-256 key ES256. */
  publicKey?: string;
  /** Path of a JWKS document (`{ "keys": [...] }`) read once at start. */
  jwksFile?: string;
  /** URL of a JWKS (e.g. `https://issuer/.well-known/jwks.json`), fetched and cached by `jose`. https, or http on loopback only. */
  jwksUrl?: string;
  /**
   * Algorithms accepted. Default: what the key allows (HS256 for a secret, RS256 or ES256 for
   * a PEM by its type, RS256 and ES256 for a JWKS). `none` is never accepted.
   */
  algorithms?: JwtAlgorithm[];
  /** Required `iss` (one or several accepted values). Required: a token from another issuer must not pass. */
  issuer: string | string[];
  /** Required `aud`. Required: a token minted for another service must not pass here. */
  audience: string | string[];
  /** Seconds of clock skew tolerated for `exp` and `nbf`. Default: 5, enough for synced clocks, short enough not to extend tokens noticeably. */
  clockToleranceSeconds?: number;
  /**
   * Claim that holds the role (`admin`, `user` or `viewer`; an array takes its highest known
   * role). A dotted path reaches nested claims (`realm_access.roles`), and only them: a top-level
   * claim whose name has the dots is ignored. A name with a `/` is one top-level claim (a
   * namespaced claim such as `https://example.com/roles`). Default: `role`.
   */
  roleClaim?: string;
  /**
   * Role of a token without the role claim. Default: `user` — it may chat, only as its own `sub`.
   * Tokens naming a role that is not admin, user or viewer are refused (401).
   */
  defaultRole?: Role;
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, admin: 2 };
const SUBJECT_PATTERN = /^[\w.@:+-]{1,200}$/;
/** A compact JWS: three base64url parts. API keys (`ent_…`) never contain a dot. */
const COMPACT_JWS = /^[\w-]+\.[\w-]+\.[\w-]*$/;

export function looksLikeJwt(token: string): boolean {
  return COMPACT_JWS.test(token);
}

function configProblem(path: string, message: string, fix: string): ConfigError {
  return new ConfigError([{ path: `http.auth.jwt.${path}`, message, fix }]);
}

function keyOf(config: JwtAuthConfig): { key: KeyObject | JWTVerifyGetKey; algorithms: JwtAlgorithm[] } {
  const sources = (['secret', 'publicKey', 'jwksFile', 'jwksUrl'] as const).filter((name) => config[name] !== undefined);
  if (sources.length !== 1) {
    throw configProblem('', `give exactly one of secret, publicKey, jwksFile, jwksUrl (got ${sources.length === 0 ? 'none' : sources.join(', ')})`, 'a secret for HS256, or a PEM public key or a JWKS for RS256/ES256');
  }
  if (config.secret !== undefined) {
    return { key: createSecretKey(Buffer.from(config.secret, 'utf8')), algorithms: ['HS256'] };
  }
  if (config.publicKey !== undefined) {
    let key: KeyObject;
    try {
      key = createPublicKey(config.publicKey);
    } catch (error) {
      throw configProblem('publicKey', `is not a PEM public key: ${(error as Error).message}`, 'paste the issuer\'s "-----BEGIN PUBLIC KEY-----" block');
    }
    if (key.asymmetricKeyType === 'rsa') return { key, algorithms: ['RS256'] };
    if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return { key, algorithms: ['ES256'] };
    throw configProblem('publicKey', `is a ${key.asymmetricKeyType} key${key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ''}`, 'use an RSA key (RS256) or a P-256 key (ES256)');
  }
  if (config.jwksFile !== undefined) {
    let keySet: JSONWebKeySet;
    try {
      keySet = JSON.parse(readFileSync(config.jwksFile, 'utf8')) as JSONWebKeySet;
      if (!Array.isArray(keySet.keys)) throw new Error('it has no "keys" array');
    } catch (error) {
      throw configProblem('jwksFile', `cannot be read as a JWKS: ${(error as Error).message}`, 'point it at a JSON file { "keys": [ ... ] }');
    }
    return { key: createLocalJWKSet(keySet), algorithms: ['RS256', 'ES256'] };
  }
  let url: URL;
  try {
    url = new URL(config.jwksUrl!);
  } catch {
    throw configProblem('jwksUrl', `is not a URL: "${config.jwksUrl}"`, 'e.g. https://issuer.example/.well-known/jwks.json');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw configProblem('jwksUrl', `must use https (got ${url.protocol}//${url.host})`, 'keys fetched over plain http could be swapped in transit; http is allowed for loopback addresses only');
  }
  return { key: createRemoteJWKSet(url, { timeoutDuration: 5_000, cooldownDuration: 30_000 }), algorithms: ['RS256', 'ES256'] };
}

/**
 * The claim at `path`: a dotted path walks nested objects only, and never matches a top-level
 * claim spelled with the dots (`{"realm_access.roles": ["admin"]}` must not override
 * `realm_access.roles`). Only own properties count, so `__proto__` or `constructor` reach nothing.
 * A name with a `/` is a namespaced claim, read as one top-level name.
 */
function claimAt(payload: JWTPayload, path: string): unknown {
  // Namespaced claims (Auth0's `https://example.com/roles`) are one name with dots in it.
  const parts = path.includes('/') ? [path] : path.split('.');
  return parts.reduce<unknown>(
    (value, part) => (typeof value === 'object' && value !== null && Object.hasOwn(value, part) ? (value as Record<string, unknown>)[part] : undefined),
    payload,
  );
}

function unauthorized(code: string, message: string): HttpApiError {
  return new HttpApiError(401, code, message, { headers: { 'www-authenticate': `Bearer error="invalid_token"` } });
}

/** Verifies bearer JWTs and turns them into principals. */
export class JwtVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  private readonly algorithms: JwtAlgorithm[];

  constructor(private readonly config: JwtAuthConfig) {
    const { key, algorithms } = keyOf(config);
    const unsupported = (config.algorithms ?? []).filter((algorithm) => !algorithms.includes(algorithm));
    if (unsupported.length > 0) {
      throw configProblem('algorithms', `${unsupported.join(', ')} cannot be used with this key (it allows ${algorithms.join(', ')})`, 'drop them: accepting an algorithm the key was not made for opens algorithm-confusion attacks');
    }
    this.key = key;
    this.algorithms = config.algorithms ?? algorithms;
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: this.config.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp', 'sub'],
      };
      // Two calls so TypeScript picks the overload for a key and for a key resolver.
      payload = (typeof this.key === 'function' ? await jwtVerify(token, this.key, options) : await jwtVerify(token, this.key, options)).payload;
    } catch (error) {
      throw this.errorOf(error);
    }
    const subject = payload.sub!;
    if (!SUBJECT_PATTERN.test(subject)) throw unauthorized('invalid_token', 'The token\'s "sub" claim is not a valid user id (1-200 letters, digits or . _ @ : + -)');
    const role = this.roleOf(payload);
    return {
      name: `jwt:${subject}`,
      role,
      userIds: role === 'admin' ? '*' : [subject],
      bucketId: `jwt:${payload.iss ?? ''}:${subject}`,
      expiresAt: (payload.exp! + (this.config.clockToleranceSeconds ?? 5)) * 1_000,
    };
  }

  private roleOf(payload: JWTPayload): Role {
    const claimName = this.config.roleClaim ?? 'role';
    const claim = claimAt(payload, claimName);
    if (claim === undefined) return this.config.defaultRole ?? 'user';
    const values = Array.isArray(claim) ? claim : [claim];
    const roles = values.filter((value): value is Role => typeof value === 'string' && value in ROLE_RANK);
    if (roles.length === 0) throw unauthorized('invalid_token', `The token's "${claimName}" claim names no known role (admin, user or viewer)`);
    return roles.reduce((best, role) => (ROLE_RANK[role] > ROLE_RANK[best] ? role : best));
  }

  private errorOf(error: unknown): HttpApiError {
    if (error instanceof errors.JWTExpired) return unauthorized('token_expired', 'The token has expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf') return unauthorized('token_not_yet_valid', 'The token is not valid yet ("nbf" is in the future)');
      return unauthorized('invalid_token', `The token's "${error.claim}" claim is ${error.reason === 'missing' ? 'missing' : 'not accepted here'}`);
    }
    if (error instanceof errors.JWKSTimeout || (this.config.jwksUrl !== undefined && !(error instanceof errors.JOSEError))) {
      // The key set could not be fetched: the server's problem, not the client's.
      return new HttpApiError(503, 'auth_unavailable', 'The keys to check the token could not be fetched; retry later', { headers: { 'retry-after': '5' } });
    }
    if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return unauthorized('invalid_token', 'The token\'s signing algorithm is not accepted');
    return unauthorized('invalid_token', 'The token is not valid');
  }
}
