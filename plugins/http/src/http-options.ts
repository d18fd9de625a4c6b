import { ConfigError, type Logger } from '@entity/core';
import { z } from 'zod';
import type { ApiKeyConfig } from './api-keys.js';
import { duplicateMountPath, type HttpMount, mountSchema } from './http-mounts.js';
import { flattenUnions } from './config-issues.js';
import type { JwtAuthConfig } from './jwt-auth.js';
import type { TokenBucketOptions } from './token-bucket.js';
import { type WebSocketOptions, websocketOptionsSchema } from './websocket-options.js';

/** Options of `createHandler` (any host). */
export interface HttpHandlerOptions {
  /**
   * Who may call. Required: API keys and/or JWTs (both sent as `Authorization: Bearer …`), or
   * `'none'` for local development — then only loopback clients are served and a warning is logged.
   */
  auth: 'none' | HttpAuthConfig;
  /** Size limits of requests. */
  limits?: {
    /** Largest request body in bytes; bigger ones get 413. Default: 1 MiB, far above any chat message. */
    maxBodyBytes?: number;
    /** Longest chat message in characters. Default: 100 000. */
    maxMessageChars?: number;
    /** Budget of one chat turn in ms, passed to the agent as the run's `timeoutMs`. Default: the agent's `runTimeoutMs`. */
    runTimeoutMs?: number;
  };
  /**
   * Token-bucket rate limits, per client IP (checked before authentication, so it also slows
   * key guessing) and per API key. `false` turns one or both off. Health probes are never limited.
   * Default: per IP 60 requests burst, 10/s sustained; per key 120 burst, 20/s.
   */
  rateLimit?: false | { perIp?: TokenBucketOptions | false; perKey?: TokenBucketOptions | false };
  /** Cross-origin access for browsers. Default: none (CORS closed): browsers on other origins cannot call. */
  cors?: { origins: string[]; maxAgeSeconds?: number };
  /** Interval of SSE heartbeat comments in ms, so proxies keep idle streams open. Default: 15 000. */
  heartbeatMs?: number;
  /** The model id OpenAI clients see in `/v1/models` and must send. Default: the agent's name. */
  modelId?: string;
  /**
   * `Idempotency-Key` on `POST /v1/chat` and `POST /v1/chat/completions` (JSON answers): a retry
   * with the same key gets the first response instead of a second turn. Records live in the
   * memory resource's database when it has one (shared by instances, kept across restarts), else
   * in this process. `ttlMs`: how long a response is kept for replay. Default: on, 24 hours, as
   * long as clients commonly retry. `false` refuses the header with a 400.
   */
  idempotency?: false | { ttlMs?: number };
  /** Where the adapter logs. Default: the agent's `logging` resource when it is a logger, else stderr for warnings. */
  logger?: Logger;
  /**
   * Under `auth: 'none'`, serve requests even when the host does not report the client's address
   * (hosts other than `serveHttp`/`@hono/node-server`). Default: false — such requests get 403,
   * because the loopback check cannot be made. Set it only when nothing but this machine can
   * reach the host, and never behind a proxy.
   */
  allowUnauthenticatedWithoutPeerAddress?: boolean;
  /**
   * Other Web-standard handlers served by this server under their own paths (an MCP or A2A
   * endpoint, a dashboard), behind the same credentials and limits. See `HttpMount`.
   */
  mounts?: HttpMount[];
}

/** Credentials the server accepts: at least one of `apiKeys` and `jwt`. */
export interface HttpAuthConfig {
  /** API keys, stored as SHA-256 hashes. */
  apiKeys?: ApiKeyConfig[];
  /**
   * A key file written by `entity keys create` (hashes only). Re-read when it changes, so a
   * revoked key stops working within a second, without a restart.
   */
  keysFile?: string;
  /** JSON Web Tokens from an identity provider. */
  jwt?: JwtAuthConfig;
}

/** Options of `serveHttp` (Node): the handler's options plus where to listen and how to stop. */
export interface ServeHttpOptions extends HttpHandlerOptions {
  /** Address to bind. Default: `127.0.0.1` — reachable from this machine only until you choose otherwise. */
  host?: string;
  /** Port; 0 picks a free one. Default: 3000. */
  port?: number;
  /** How long `close()` lets in-flight requests finish before cancelling them. Default: 10 000 ms. */
  shutdownTimeoutMs?: number;
  /** Time a client has to send a whole request (headers and body), against slow-sending clients. Default: 30 000 ms. */
  requestReceiveTimeoutMs?: number;
  /** Whether `close()` stops the agent after the server. Default: true. */
  stopAgent?: boolean;
  /**
   * Also serve the WebSocket endpoint `/v1/ws` on this server (same port, same keys, rate
   * limits and CORS origins). `true` uses the defaults of `WebSocketOptions`. Default: off.
   */
  websocket?: boolean | WebSocketOptions;
}

export const bucketSchema = z.strictObject({
  capacity: z.number().int().min(1),
  refillPerSecond: z.number().positive(),
});

export const apiKeySchema = z
  .strictObject({
    name: z.string().min(1).max(100).optional(),
    hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be the SHA-256 of the key as 64 lowercase hex digits (hashApiKey(key))'),
    role: z.enum(['admin', 'user', 'viewer']),
    userIds: z.union([z.literal('*'), z.array(z.string().min(1)).min(1)]).optional(),
  })
  .refine((key) => key.role === 'admin' || key.userIds !== undefined, {
    message: "a user or viewer key needs userIds: the user ids it may act for, or '*' for any",
    path: ['userIds'],
  });

const oneOrMore = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const jwtSchema = z
  .strictObject({
    secret: z.string().min(32, 'an HS256 secret needs at least 32 characters').optional(),
    publicKey: z.string().includes('-----BEGIN PUBLIC KEY-----', { message: 'must be a PEM public key (-----BEGIN PUBLIC KEY-----)' }).optional(),
    jwksFile: z.string().min(1).optional(),
    jwksUrl: z.string().min(1).optional(),
    algorithms: z.array(z.enum(['HS256', 'RS256', 'ES256'])).min(1).optional(),
    issuer: oneOrMore,
    audience: oneOrMore,
    clockToleranceSeconds: z.number().min(0).max(300).optional(),
    roleClaim: z.string().min(1).optional(),
    defaultRole: z.enum(['admin', 'user', 'viewer']).optional(),
  })
  .refine((jwt) => [jwt.secret, jwt.publicKey, jwt.jwksFile, jwt.jwksUrl].filter((value) => value !== undefined).length === 1, {
    message: 'give exactly one of secret (HS256), publicKey (PEM), jwksFile or jwksUrl',
  });

export const authSchema = z.union(
  [
    z.literal('none'),
    z
      .strictObject({ apiKeys: z.array(apiKeySchema).min(1, 'list at least one key').optional(), keysFile: z.string().min(1).optional(), jwt: jwtSchema.optional() })
      .refine((auth) => auth.apiKeys !== undefined || auth.keysFile !== undefined || auth.jwt !== undefined, 'give apiKeys, keysFile, jwt, or several of them'),
  ],
  {
    error: (issue) =>
      issue.input === undefined
        ? "auth is required: give { apiKeys: [{ hash, role, userIds }] } (hash with hashApiKey()) and/or { jwt: {...} }, or 'none' for local development"
        : "auth must be { apiKeys?, keysFile?, jwt? } or 'none'",
  },
);

/** Handler limits; the `server:` section of agent.yaml adds the server's own timeouts to them. */
export const handlerLimitFields = {
  maxBodyBytes: z.number().int().min(1024).optional(),
  maxMessageChars: z.number().int().min(1).optional(),
  runTimeoutMs: z.number().int().min(1).optional(),
};

/** Handler options that can also be written in the `server:` section of agent.yaml. */
export const sharedHandlerFields = {
  rateLimit: z
    .union([z.literal(false), z.strictObject({ perIp: z.union([z.literal(false), bucketSchema]).optional(), perKey: z.union([z.literal(false), bucketSchema]).optional() })])
    .optional(),
  cors: z.strictObject({ origins: z.array(z.string().min(1)).min(1), maxAgeSeconds: z.number().int().min(0).optional() }).optional(),
  heartbeatMs: z.number().int().min(1).optional(),
  modelId: z.string().min(1).max(200).optional(),
  idempotency: z.union([z.literal(false), z.strictObject({ ttlMs: z.number().int().min(1_000).optional() })]).optional(),
};

const handlerSchema = z.strictObject({
  auth: authSchema,
  limits: z.strictObject(handlerLimitFields).optional(),
  ...sharedHandlerFields,
  logger: z.custom<Logger>((value) => typeof value === 'object' && value !== null && typeof (value as Logger).warn === 'function', 'must be a Logger').optional(),
  allowUnauthenticatedWithoutPeerAddress: z.boolean().optional(),
  mounts: z
    .array(mountSchema)
    .optional()
    .superRefine((mounts, context) => {
      const clash = duplicateMountPath(mounts ?? []);
      if (clash !== undefined) context.addIssue({ code: 'custom', message: `two mounts overlap (${clash}); give each its own path, not one under another` });
    }),
});

const serveSchema = handlerSchema.extend({
  host: z.string().min(1).optional(),
  port: z.number().int().min(0).max(65_535).optional(),
  shutdownTimeoutMs: z.number().int().min(0).optional(),
  requestReceiveTimeoutMs: z.number().int().min(1).optional(),
  stopAgent: z.boolean().optional(),
  websocket: websocketOptionsSchema.optional(),
});

function parseOptions<T>(schema: z.ZodType<T>, options: unknown, where: string): T {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    flattenUnions(parsed.error.issues).map((issue) => ({
      path: [where, ...issue.path.map(String)].join('.'),
      message: issue.message,
      fix: 'see the options of @entity/plugin-http in its README',
    })),
  );
}

export const DEFAULT_RATE_LIMIT = { perIp: { capacity: 60, refillPerSecond: 10 }, perKey: { capacity: 120, refillPerSecond: 20 } } as const;
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
export const DEFAULT_MAX_MESSAGE_CHARS = 100_000;
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** Validates handler options; every problem is reported with its path (ConfigError). */
export function parseHandlerOptions(options: unknown): HttpHandlerOptions {
  return parseOptions(handlerSchema, options, 'http') as HttpHandlerOptions;
}

/** Validates `serveHttp` options. */
export function parseServeOptions(options: unknown): ServeHttpOptions {
  return parseOptions(serveSchema, options, 'http') as ServeHttpOptions;
}
