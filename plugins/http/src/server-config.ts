import { isAbsolute, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from '@entity/core';
import { z } from 'zod';
import { DEFAULT_KEYS_FILE } from './api-key-store.js';
import { configIssuesOf } from './config-issues.js';
import { apiKeySchema, handlerLimitFields, jwtSchema, type ServeHttpOptions, sharedHandlerFields } from './http-options.js';
import { websocketOptionsSchema } from './websocket-options.js';

/**
 * API keys in `agent.yaml`: a list, or a string holding that list as JSON — what
 * `apiKeys: ${ENTITY_API_KEYS}` becomes, so hashes can live in the environment. An empty string
 * (`${ENTITY_API_KEYS:-}` with the variable unset) means no keys.
 */
const apiKeysSchema = z.union([
  z.array(apiKeySchema).min(1, 'list at least one key'),
  z.string().transform((text, context) => {
    if (text.trim() === '') return undefined;
    try {
      const value: unknown = JSON.parse(text);
      const parsed = z.array(apiKeySchema).min(1, 'list at least one key').safeParse(value);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: `in the JSON: ${issue.path.join('.')}: ${issue.message}`.replace(/: : /, ': ') });
    } catch (error) {
      context.addIssue({ code: 'custom', message: `is a string but not a JSON array of keys: ${(error as Error).message}` });
    }
    return z.NEVER;
  }),
]);

/** The `server:` section of agent.yaml. Strict: an unknown or misspelt key is an error, not ignored. */
export const serverConfigSchema = z.strictObject({
  /** Port to listen on. Default: 3000. */
  port: z.number().int().min(0).max(65_535).optional(),
  /** Address to bind. Default: 127.0.0.1 (this machine only). */
  host: z.string().min(1).optional(),
  auth: z
    .union([
      z.literal('none'),
      z
        .strictObject({
          apiKeys: apiKeysSchema.optional(),
          /** Key file of `entity keys`, relative to the config file. Default: .entity/api-keys.json when no other credential is configured. */
          keysFile: z.string().min(1).optional(),
          jwt: jwtSchema.optional(),
        }),
    ])
    .optional(),
  limits: z
    .strictObject({
      ...handlerLimitFields,
      requestReceiveTimeoutMs: z.number().int().min(1).optional(),
      shutdownTimeoutMs: z.number().int().min(0).optional(),
    })
    .optional(),
  ...sharedHandlerFields,
  websocket: websocketOptionsSchema.optional(),
});

export type ServerConfig = z.output<typeof serverConfigSchema>;

/** Problems in a `server:` section, each with its path (`server.auth.jwt.issuer`) and a fix; `[]` when valid. */
export function validateServerConfig(server: unknown): ConfigIssue[] {
  const parsed = serverConfigSchema.safeParse(server);
  return parsed.success ? [] : configIssuesOf(parsed.error, ['server'], serverConfigSchema);
}

/**
 * `serveHttp` options from a `server:` section. Relative paths (`keysFile`, `jwt.jwksFile`) are
 * resolved against `baseDir`, the config file's directory. `auth` is left out when the section
 * has none, so the caller decides (flags, environment, the default key file).
 */
export function serveOptionsFromConfig(server: unknown, baseDir: string): Partial<ServeHttpOptions> {
  const parsed = serverConfigSchema.safeParse(server ?? {});
  if (!parsed.success) throw new ConfigError(configIssuesOf(parsed.error, ['server'], serverConfigSchema));
  const { limits, auth, ...rest } = parsed.data;
  const path = (file: string) => (isAbsolute(file) ? file : resolve(baseDir, file));
  const options: Partial<ServeHttpOptions> = { ...rest };
  if (limits) {
    const { requestReceiveTimeoutMs, shutdownTimeoutMs, ...handlerLimits } = limits;
    options.limits = handlerLimits;
    if (requestReceiveTimeoutMs !== undefined) options.requestReceiveTimeoutMs = requestReceiveTimeoutMs;
    if (shutdownTimeoutMs !== undefined) options.shutdownTimeoutMs = shutdownTimeoutMs;
  }
  if (auth === 'none') options.auth = 'none';
  else if (auth) {
    const { apiKeys, keysFile, jwt } = auth;
    const resolved = {
      ...(apiKeys ? { apiKeys } : {}),
      ...(keysFile ? { keysFile: path(keysFile) } : {}),
      ...(jwt ? { jwt: jwt.jwksFile ? { ...jwt, jwksFile: path(jwt.jwksFile) } : jwt } : {}),
    };
    // `apiKeys: ${ENTITY_API_KEYS:-}` with nothing set leaves no credential: fall back to the project's key file.
    options.auth = Object.keys(resolved).length > 0 ? resolved : { keysFile: path(DEFAULT_KEYS_FILE) };
  }
  return options;
}
