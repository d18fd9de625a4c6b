import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { pgliteMemory, postgresMemory } from '../src/index.js';
import { DATABASE_URL, dropSchema, freshSchema, postgresAvailable } from './support/postgres.js';

const folder = mkdtempSync(join(tmpdir(), 'entity-memory-read-only-'));
const schema = freshSchema('read_only');
const hasPostgres = await postgresAvailable();
afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  if (hasPostgres) await dropSchema(schema);
});

const rejectionOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as Error & { code?: string },
  );

describe('startReadOnly: opens an existing memory database without changing it', () => {
  it('pglite: a folder with no database is MEMORY_NOT_FOUND and is not created', async () => {
    const path = join(folder, 'never-used', 'memory');
    const error = await rejectionOf(pgliteMemory({ path }).startReadOnly());
    expect(error).toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    expect(error!.message).toContain(path);
    expect(existsSync(join(folder, 'never-used'))).toBe(false);
    // An empty folder is no database either: PGlite would create one in it.
    const empty = join(folder, 'empty');
    await import('node:fs/promises').then((fs) => fs.mkdir(empty));
    expect(await rejectionOf(pgliteMemory({ path: empty }).startReadOnly())).toMatchObject({ code: 'MEMORY_NOT_FOUND' });
    expect(existsSync(`${empty}.lock`)).toBe(false);
  });

  describe.skipIf(!hasPostgres)('postgres', () => {
    const memory = () => postgresMemory({ url: DATABASE_URL, schema, embedder: 'hashing' });

    it('no tables yet: MEMORY_NOT_INITIALIZED, and the schema is not created', async () => {
      const error = await rejectionOf(memory().startReadOnly());
      expect(error).toMatchObject({ code: 'MEMORY_NOT_INITIALIZED' });
      expect(error!.message).toMatch(/no agent has started/);
      // A plain client, not a memory on the public schema: whatever an earlier run left there must not matter.
      const reader = new pg.Client({ connectionString: DATABASE_URL });
      await reader.connect();
      try {
        const found = await reader.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
        expect(found.rowCount).toBe(0);
      } finally {
        await reader.end();
      }
    });

    it('reads what an agent stored; writes nothing at start (no embedder record, no retention) and refuses writes', async () => {
      const agent = postgresMemory({ url: DATABASE_URL, schema, embedder: 'hashing', retention: { maxAgeMs: 60_000 } });
      await agent.start();
      await agent.appendMessages({ userId: 'reader-user', conversationId: 'c' }, [{ role: 'user', content: 'stored by the agent' }]);
      await agent.database.sql(`UPDATE entity_messages SET created_at = now() - interval '1 day'`);
      await agent.database.sql(`DELETE FROM entity_memory_settings WHERE name = 'embedder'`);
      await agent.stop();

      const reader = postgresMemory({ url: DATABASE_URL, schema, embedder: 'hashing', retention: { maxAgeMs: 60_000 } });
      await reader.startReadOnly();
      try {
        // Past the retention, yet still there: a reader never prunes.
        const kept = await reader.database.sql<{ content: string }>(`SELECT message->>'content' AS content FROM entity_messages WHERE user_id = 'reader-user'`);
        expect(kept.rows).toEqual([{ content: 'stored by the agent' }]);
        const settings = await reader.database.sql(`SELECT 1 FROM entity_memory_settings WHERE name = 'embedder'`);
        expect(settings.rowCount).toBe(0);
        const write = await rejectionOf(reader.set('reader-user', 'k', 1));
        expect(write?.cause).toMatchObject({ code: '25006' });
      } finally {
        await reader.stop();
      }
    });
  });
});
