import { randomUUID } from 'node:crypto';
import type { Migration, SqlMemory } from '@entity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { expectEntityError, rejectionOf } from './conformance-helpers.js';
import { INJECTION_STRINGS } from './injection-strings.js';

export function sqlCases(database: () => SqlMemory): void {
  describe('sql and migrations', () => {
    const suffix = randomUUID().replaceAll('-', '').slice(0, 12);
    const owner = `conformance-${suffix}`;
    const table = `conformance_notes_${suffix}`;
    const created: string[] = [];
    const v1: Migration = {
      version: 1,
      name: 'notes table with a seed row',
      sql: `CREATE TABLE ${table} (id serial PRIMARY KEY, body text NOT NULL); INSERT INTO ${table} (body) VALUES ('seed');`,
    };
    const v2: Migration = { version: 2, name: 'add author', sql: `ALTER TABLE ${table} ADD COLUMN author text;` };

    afterAll(async () => {
      for (const name of [table, ...created]) await database().sql(`DROP TABLE IF EXISTS ${name}`);
    });

    it('applies migrations once, in order, and again is a no-op', async () => {
      await database().migrate(owner, [v1]);
      await database().migrate(owner, [v2, v1]);
      await database().migrate(owner, [v1, v2]);
      const rows = await database().sql<{ body: string; author: string | null }>(`SELECT body, author FROM ${table}`);
      expect(rows.rows).toEqual([{ body: 'seed', author: null }]);
      expect(rows.rowCount).toBe(1);
    });

    it('applies each migration once when many callers migrate at the same time', async () => {
      const concurrentOwner = `conformance-concurrent-${suffix}`;
      const concurrentTable = `conformance_counter_${suffix}`;
      created.push(concurrentTable);
      const migrations: Migration[] = [
        { version: 1, name: 'counter', sql: `CREATE TABLE ${concurrentTable} (n integer NOT NULL);` },
        { version: 2, name: 'one row', sql: `INSERT INTO ${concurrentTable} (n) VALUES (1);` },
      ];
      await Promise.all(Array.from({ length: 6 }, () => database().migrate(concurrentOwner, migrations)));
      const rows = await database().sql<{ count: number | string }>(`SELECT count(*) AS count FROM ${concurrentTable}`);
      expect(Number(rows.rows[0]!.count)).toBe(1);
    });

    it('refuses a migration whose SQL changed after it was applied', async () => {
      await database().migrate(owner, [v1]);
      await expectEntityError(database().migrate(owner, [{ ...v1, sql: `${v1.sql} -- edited` }]));
    });

    it('rejects invalid migration lists before touching the database', async () => {
      await expectEntityError(database().migrate(owner, [v1, { ...v2, version: 1 }]));
      await expectEntityError(database().migrate(owner, [{ version: 0, name: 'zero', sql: 'SELECT 1' }]));
      await expectEntityError(database().migrate("bad owner'; --", [v1]));
    });

    it('binds parameters as values, never as SQL', async () => {
      for (const text of INJECTION_STRINGS) {
        const result = await database().sql<{ value: string }>('SELECT $1::text AS value', [text]);
        expect(result.rows).toEqual([{ value: text }]);
      }
      await database().sql(`INSERT INTO ${table} (body) VALUES ($1)`, ["x'); DROP TABLE entity_kv; --"]);
      const count = await database().sql<{ count: number | string }>(`SELECT count(*) AS count FROM ${table} WHERE body = $1`, [
        "x'); DROP TABLE entity_kv; --",
      ]);
      expect(Number(count.rows[0]!.count)).toBe(1);
    });

    it('refuses a second statement in one call, saying only one is allowed and what to use instead', async () => {
      for (const text of [`SELECT 1; DROP TABLE ${table}`, `INSERT INTO ${table} (body) VALUES ('a'); INSERT INTO ${table} (body) VALUES ('b')`]) {
        const error = await expectEntityError(database().sql(text));
        expect(error.message).toMatch(/one SQL statement per call/);
        expect(error.message).toMatch(/database\.migrate/);
        expect(error.code).toBe('MEMORY_SQL_MULTIPLE_STATEMENTS');
      }
      expect((await database().sql(`SELECT * FROM ${table} WHERE body IN ('a', 'b')`)).rows).toEqual([]);
      expect((await database().sql(`SELECT * FROM ${table}`)).rows.length).toBeGreaterThan(0);
      // A trailing semicolon is still one statement.
      expect((await database().sql<{ one: number }>('SELECT 1 AS one;')).rows).toEqual([{ one: 1 }]);
    });

    it('fails with a message that keeps the SQL out but the cause in', async () => {
      const error = await rejectionOf(database().sql('SELECT secret_column FROM missing_table_with_a_secret_name WHERE password = $1', ['hunter2']));
      const { message, safeMessage, cause } = error as { message: string; safeMessage?: string; cause?: unknown };
      for (const text of [message, safeMessage ?? '']) {
        expect(text).not.toMatch(/missing_table_with_a_secret_name|secret_column|hunter2|SELECT/);
      }
      expect(cause, 'the driver error stays available for logs').toBeDefined();
    });
  });
}
