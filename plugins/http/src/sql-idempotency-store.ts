import { randomUUID } from 'node:crypto';
import type { Migration, SqlMemory } from '@entity/core';
import type { ClaimRequest, IdempotencyClaim, IdempotencyStore, StoredResponse } from './idempotency-store.js';

/** The migration owner under which this package keeps its tables. */
export const HTTP_MIGRATION_OWNER = '@entity/plugin-http';

const TABLE = 'entity_http_idempotency';

export const HTTP_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'idempotency keys',
    sql: `
      CREATE TABLE IF NOT EXISTS ${TABLE} (
        scope TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        owner TEXT NOT NULL,
        status INTEGER,
        body TEXT,
        locked_until TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS ${TABLE}_expires ON ${TABLE} (expires_at);
    `,
  },
  {
    version: 2,
    name: 'idempotency records name their conversation',
    // Records from before have no conversation and cannot be matched to one: drop them (they are
    // retry records kept for a day at most).
    sql: `
      DELETE FROM ${TABLE};
      ALTER TABLE ${TABLE} ADD COLUMN IF NOT EXISTS conversation TEXT NOT NULL DEFAULT '';
      CREATE INDEX IF NOT EXISTS ${TABLE}_conversation ON ${TABLE} (conversation);
    `,
  },
];

// One statement decides atomically: a new key is inserted; an expired record, or a running one
// whose owner's lease ran out (the process died), is taken over; anything else stays as it is.
const CLAIM = `
  INSERT INTO ${TABLE} (scope, fingerprint, owner, locked_until, expires_at, conversation)
  VALUES ($1, $2, $3, now() + $4::double precision * interval '1 millisecond', now() + $5::double precision * interval '1 millisecond', $6)
  ON CONFLICT (scope) DO UPDATE
    SET fingerprint = EXCLUDED.fingerprint, owner = EXCLUDED.owner, status = NULL, body = NULL, conversation = EXCLUDED.conversation,
        locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at, created_at = now()
    WHERE ${TABLE}.expires_at <= now()
       OR (${TABLE}.status IS NULL AND ${TABLE}.locked_until <= now() AND ${TABLE}.fingerprint = EXCLUDED.fingerprint)
  RETURNING owner`;

const SWEEP_EVERY_MS = 60_000;

/** Records in the memory resource's database: they survive restarts and are shared by every instance. */
export class SqlIdempotencyStore implements IdempotencyStore {
  readonly kind = 'database';
  private lastSweep = 0;

  constructor(private readonly database: SqlMemory) {}

  migrate(): Promise<void> {
    return this.database.migrate(HTTP_MIGRATION_OWNER, HTTP_MIGRATIONS);
  }

  async claim(request: ClaimRequest): Promise<IdempotencyClaim> {
    await this.sweep();
    for (;;) {
      const owner = randomUUID();
      const claimed = await this.database.sql<{ owner: string }>(CLAIM, [request.scope, request.fingerprint, owner, request.leaseMs, request.ttlMs, request.conversation]);
      if (claimed.rows[0]?.owner === owner) return { kind: 'claimed', owner };
      const found = await this.database.sql<{ fingerprint: string; status: number | null; body: string | null }>(
        `SELECT fingerprint, status, body FROM ${TABLE} WHERE scope = $1 AND expires_at > now()`,
        [request.scope],
      );
      const record = found.rows[0];
      // Released or expired between the two statements: claim again.
      if (!record) continue;
      if (record.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
      if (record.status !== null && record.body !== null) return { kind: 'done', response: { status: Number(record.status), body: record.body } };
      return { kind: 'running' };
    }
  }

  async complete(scope: string, owner: string, response: StoredResponse): Promise<void> {
    await this.database.sql(`UPDATE ${TABLE} SET status = $3, body = $4 WHERE scope = $1 AND owner = $2`, [scope, owner, response.status, response.body]);
  }

  async release(scope: string, owner: string): Promise<void> {
    await this.database.sql(`DELETE FROM ${TABLE} WHERE scope = $1 AND owner = $2 AND status IS NULL`, [scope, owner]);
  }

  async forgetConversation(conversation: string): Promise<void> {
    await this.database.sql(`DELETE FROM ${TABLE} WHERE conversation = $1`, [conversation]);
  }

  /** Deletes expired records, at most once a minute per process, so the table does not grow forever. */
  private async sweep(): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    await this.database.sql(`DELETE FROM ${TABLE} WHERE expires_at <= now()`);
  }
}
