import type { JsonValue, KeyValueMemory } from '@entity/core';
import type { Database } from '../database.js';
import { requireIdentifier, requireJson } from '../validate-input.js';

/** Per-user JSON values in `entity_kv`; every statement is scoped by `user_id`. */
export class KeyValueStore implements KeyValueMemory {
  constructor(
    private readonly database: () => Database,
    private readonly now: () => number,
  ) {}

  async get<T extends JsonValue = JsonValue>(userId: string, key: string): Promise<T | undefined> {
    requireIdentifier(userId, 'userId');
    requireIdentifier(key, 'key');
    const result = await this.database().run(
      'key-value get',
      (sql) => sql.query<{ value: T }>('SELECT value FROM entity_kv WHERE user_id = $1 AND key = $2', [userId, key]),
      { idempotent: true },
    );
    return result.rows.length === 0 ? undefined : result.rows[0]!.value;
  }

  async set(userId: string, key: string, value: JsonValue): Promise<void> {
    requireIdentifier(userId, 'userId');
    requireIdentifier(key, 'key');
    requireJson(value, 'value');
    await this.database().run(
      'key-value set',
      (sql) =>
        sql.query(
          `INSERT INTO entity_kv (user_id, key, value, updated_at) VALUES ($1, $2, $3::jsonb, $4)
           ON CONFLICT (user_id, key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
          [userId, key, JSON.stringify(value), new Date(this.now())],
        ),
      { idempotent: true },
    );
  }

  async delete(userId: string, key: string): Promise<boolean> {
    requireIdentifier(userId, 'userId');
    requireIdentifier(key, 'key');
    const result = await this.database().run(
      'key-value delete',
      (sql) => sql.query('DELETE FROM entity_kv WHERE user_id = $1 AND key = $2', [userId, key]),
      { idempotent: true },
    );
    return result.rowCount > 0;
  }

  async list(userId: string, prefix = ''): Promise<string[]> {
    requireIdentifier(userId, 'userId');
    if (typeof prefix !== 'string') requireIdentifier(prefix, 'prefix');
    // starts_with, not LIKE: `%` and `_` in a prefix are plain characters. Byte order ("C")
    // keeps the sort identical on every server locale.
    const result = await this.database().run(
      'key-value list',
      (sql) =>
        sql.query<{ key: string }>(
          'SELECT key FROM entity_kv WHERE user_id = $1 AND starts_with(key, $2) ORDER BY key COLLATE "C"',
          [userId, prefix],
        ),
      { idempotent: true },
    );
    return result.rows.map((row) => row.key);
  }
}
