import { UsageError } from './exit-codes.js';

/** The environment variable `entity serve` reads API keys from. */
export const API_KEYS_VARIABLE = 'ENTITY_API_KEYS';

const EXAMPLE = `${API_KEYS_VARIABLE}='[{"name":"web","hash":"<sha256 hex of the key>","role":"user","userIds":"*"}]'`;

/**
 * The `auth` option `entity serve` passes to `@entity/plugin-http`: `'none'` with `--no-auth`,
 * else the key list in ENTITY_API_KEYS (JSON; the adapter validates each entry). Serving without
 * either is refused: an agent on the network never starts open by accident.
 */
export function serveAuth(noAuth: boolean, env: NodeJS.ProcessEnv): 'none' | { apiKeys: unknown[] } {
  const text = env[API_KEYS_VARIABLE];
  if (noAuth) {
    if (text) throw new UsageError(`--no-auth and ${API_KEYS_VARIABLE} contradict each other`, `drop one of them`);
    return 'none';
  }
  if (!text) {
    throw new UsageError(
      `entity serve needs API keys: set ${API_KEYS_VARIABLE}, or pass --no-auth for local development (loopback only)`,
      `e.g. ${EXAMPLE}; hash a key with: printf %s "$KEY" | sha256sum | cut -d" " -f1`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${API_KEYS_VARIABLE} is not valid JSON: ${(error as Error).message}`, `e.g. ${EXAMPLE}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError(`${API_KEYS_VARIABLE} must be a JSON array of keys`, `e.g. ${EXAMPLE}`);
  return { apiKeys: parsed };
}
