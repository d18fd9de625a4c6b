import { existsSync } from 'node:fs';
import { UsageError } from './exit-codes.js';

/** The environment variable `entity serve` reads API keys from. */
export const API_KEYS_VARIABLE = 'ENTITY_API_KEYS';

const EXAMPLE = `${API_KEYS_VARIABLE}='[{"name":"web","hash":"<sha256 hex of the key>","role":"user","userIds":"*"}]'`;

/** Where the credentials `entity serve` uses come from, for the line it prints. */
export type AuthSource = '--no-auth' | 'server.auth' | typeof API_KEYS_VARIABLE | 'key file';

export interface ServeAuthInputs {
  noAuth: boolean;
  env: NodeJS.ProcessEnv;
  /** `server.auth` of agent.yaml, already validated and resolved by @entity/plugin-http. */
  configured: unknown;
  /** The project's key file (`entity keys`), used when nothing else is configured and it exists. */
  keysFile: string;
}

/**
 * The `auth` option `entity serve` passes to `@entity/plugin-http`, first found of: `--no-auth`;
 * `server.auth` in agent.yaml; the key list in ENTITY_API_KEYS (JSON; the adapter validates each
 * entry); the project's key file written by `entity keys create`. Nothing at all is refused: an
 * agent on the network never starts open by accident.
 */
export function serveAuth(inputs: ServeAuthInputs): { auth: unknown; source: AuthSource } {
  const text = inputs.env[API_KEYS_VARIABLE];
  if (inputs.noAuth) {
    if (text) throw new UsageError(`--no-auth and ${API_KEYS_VARIABLE} contradict each other`, `drop one of them`);
    return { auth: 'none', source: '--no-auth' };
  }
  if (inputs.configured !== undefined) return { auth: inputs.configured, source: 'server.auth' };
  if (text) return { auth: { apiKeys: keysFromEnvironment(text) }, source: API_KEYS_VARIABLE };
  if (existsSync(inputs.keysFile)) return { auth: { keysFile: inputs.keysFile }, source: 'key file' };
  throw new UsageError(
    'entity serve needs credentials: create a key with `entity keys create`, configure server.auth in agent.yaml, set ENTITY_API_KEYS, or pass --no-auth for local development (loopback only)',
    `e.g. entity keys create --role user --user alice; or ${EXAMPLE}`,
  );
}

function keysFromEnvironment(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${API_KEYS_VARIABLE} is not valid JSON: ${(error as Error).message}`, `e.g. ${EXAMPLE}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError(`${API_KEYS_VARIABLE} must be a JSON array of keys`, `e.g. ${EXAMPLE}`);
  return parsed;
}
