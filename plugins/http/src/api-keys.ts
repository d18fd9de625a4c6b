import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a credential may do. `viewer` reads only; `user` also chats; `admin` may do everything. */
export type Role = 'admin' | 'user' | 'viewer';

/** One API key as configured: only its SHA-256 hash is stored, never the key. */
export interface ApiKeyConfig {
  /** Shown in logs and used as the key's rate-limit bucket. Default: the first 8 hex digits of the hash. */
  name?: string;
  /** SHA-256 of the key, 64 lowercase hex digits (`hashApiKey(key)`). */
  hash: string;
  role: Role;
  /**
   * User ids the key may act for, or `'*'` for any. Default: `'*'` for admin keys; user and
   * viewer keys must list them, so a leaked key can never speak for every user by accident.
   */
  userIds?: string[] | '*';
}

/** Who is calling, once the credential checked out. */
export interface Principal {
  /** The key's name, or `anonymous` in development mode. */
  name: string;
  role: Role;
  userIds: readonly string[] | '*';
  /** Stable id for rate limiting. */
  bucketId: string;
  /**
   * When the credential stops being accepted (ms since the epoch): a JWT's `exp` plus the clock
   * tolerance. Absent for API keys and development mode. Long-lived connections check it.
   */
  expiresAt?: number;
}

/** SHA-256 hex of an API key: what goes into the `apiKeys` config. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new random API key (`ent_` + 43 base64url characters, 256 bits). Store `hashApiKey(key)`, hand out `key`. */
export function generateApiKey(): string {
  return `ent_${randomBytes(32).toString('base64url')}`;
}

/**
 * Finds the key a bearer token belongs to. The token is hashed and compared with every
 * stored hash in constant time, without stopping at a match, so timing says nothing about
 * which or how many keys exist.
 */
export class ApiKeyVerifier {
  private readonly keys: { hash: Buffer; principal: Principal }[];

  constructor(keys: readonly ApiKeyConfig[]) {
    this.keys = keys.map((key) => {
      const name = key.name ?? key.hash.slice(0, 8);
      return {
        hash: Buffer.from(key.hash, 'hex'),
        principal: { name, role: key.role, userIds: key.userIds ?? '*', bucketId: `key:${key.hash}` },
      };
    });
  }

  verify(token: string): Principal | undefined {
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let found: Principal | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(presented, key.hash) && found === undefined) found = key.principal;
    }
    return found;
  }
}
