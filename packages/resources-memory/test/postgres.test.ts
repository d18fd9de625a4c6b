import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { CircuitOpenError, ConfigError, ResourceError } from '@entity/core';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryDatabaseError, parseConnectionUrl, pgliteMemory, postgresConfigSchema, postgresMemory } from '../src/index.js';
import { rejectionOf } from '../src/testing/index.js';
import { MAX_TIMEOUT_MS, statementTimeoutFor } from '../src/resilience-options.js';
import { DATABASE_URL, dropSchema, freshSchema, postgresAvailable } from './support/postgres.js';
import { TcpProxy } from './support/tcp-proxy.js';

const available = await postgresAvailable();
const schemas: string[] = [];
afterAll(async () => {
  if (available) for (const schema of schemas) await dropSchema(schema);
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('postgres: configuration and start errors', () => {
  it('names host, port and what to check when nothing listens, without the password', async () => {
    const port = await closedPort();
    const memory = postgresMemory({ url: `postgres://agent:Sup3r-Secret@127.0.0.1:${port}/app` });
    const error = await rejectionOf(memory.start());
    expect(ResourceError.isInstance(error)).toBe(true);
    const { message, safeMessage, cause } = error as ResourceError;
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toMatch(/running/);
    expect(message).toContain('scripts/ensure-postgres.sh');
    expect(`${message} ${safeMessage}`).not.toContain('Sup3r-Secret');
    expect((cause as { code?: string }).code).toBe('ECONNREFUSED');
  });

  it('rejects URLs that are not PostgreSQL URLs without repeating them', () => {
    for (const url of ['mysql://root:Sup3r-Secret@db/app', 'not a url Sup3r-Secret', '']) {
      let caught: unknown;
      try {
        postgresMemory({ url });
      } catch (error) {
        caught = error;
      }
      expect(ConfigError.isInstance(caught), url).toBe(true);
      expect((caught as ConfigError).message).not.toContain('Sup3r-Secret');
      expect((caught as ConfigError).issues[0]?.path).toBe('url');
    }
  });

  it('rejects a time budget that is not a whole number of at least 100 ms, naming the setting', () => {
    for (const timeoutMs of [0, -5, 50, 99, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31]) {
      for (const create of [
        () => postgresMemory({ url: 'postgres://u@db/app', resilience: { timeoutMs } }),
        () => pgliteMemory({ path: 'memory://budget', resilience: { timeoutMs } }),
      ]) {
        let caught: unknown;
        try {
          create();
        } catch (error) {
          caught = error;
        }
        expect(ConfigError.isInstance(caught), String(timeoutMs)).toBe(true);
        expect((caught as ConfigError).issues[0]?.path).toBe('resilience.timeoutMs');
        expect((caught as ConfigError).issues[0]?.fix).toMatch(/100/);
      }
      expect(postgresConfigSchema.safeParse({ url: 'postgres://u@db/app', resilience: { timeoutMs } }).success, String(timeoutMs)).toBe(false);
    }
    expect(() => postgresMemory({ url: 'postgres://u@db/app', resilience: { timeoutMs: 100 } })).not.toThrow();
    expect([100, 500, 5_000, 30_000, MAX_TIMEOUT_MS].map(statementTimeoutFor)).toEqual([80, 400, 4_000, 29_000, MAX_TIMEOUT_MS - 1_000]);
    expect(() => postgresMemory({ url: 'postgres://u@db/app', resilience: { retries: -1 } })).toThrow(/resilience\.retries/);
  });

  it('parses what it may print from a URL', () => {
    expect(parseConnectionUrl('postgresql://u:p%40ss@db.internal:6543/my%20db?sslmode=require')).toEqual({
      host: 'db.internal',
      port: 6543,
      database: 'my db',
      user: 'u',
    });
    expect(parseConnectionUrl('postgres://u@localhost/app?host=/var/run/postgresql').host).toBe('/var/run/postgresql');
  });
});

describe.skipIf(!available)('postgres: against the real server', () => {
  it('says which database is missing', async () => {
    const url = new URL(DATABASE_URL);
    url.pathname = '/entity_database_that_does_not_exist';
    const error = await rejectionOf(postgresMemory({ url: url.toString() }).start());
    expect((error as Error).message).toMatch(/database "entity_database_that_does_not_exist" does not exist.*createdb/);
  });

  it('starts many workers at once on a schema that does not exist yet', async () => {
    // CREATE SCHEMA IF NOT EXISTS is not safe under concurrency: two sessions can both see the
    // schema missing and one then fails on pg_namespace's unique index.
    for (let round = 0; round < 5; round += 1) {
      const schema = freshSchema('start_race');
      schemas.push(schema);
      const memories = Array.from({ length: 6 }, () => postgresMemory({ url: DATABASE_URL, schema, poolSize: 1 }));
      const results = await Promise.allSettled(memories.map((memory) => memory.start()));
      await Promise.all(memories.map((memory) => memory.stop().catch(() => undefined)));
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
      expect(failures).toEqual([]);
    }
  });

  it("never reads or drops public's tables when it has a schema of its own", async () => {
    // The schema is searched before public (where pgvector usually lives), so an unqualified
    // lookup of a table the schema does not have yet falls through to public's table of the
    // same name: a memory once took another application's documents table for its own.
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    const database = `entity_test_public_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(DATABASE_URL);
    url.pathname = `/${database}`;
    const other = new pg.Client({ connectionString: url.toString() });
    try {
      await other.connect();
      await other.query('CREATE EXTENSION vector');
      await other.query(`CREATE TABLE public.entity_documents (user_id text, id text, content text, metadata jsonb, embedding vector(3), created_at timestamptz, PRIMARY KEY (user_id, id))`);
      await other.query(`CREATE TABLE public.entity_schema_migrations (owner text, version integer, name text, checksum text, applied_at timestamptz, PRIMARY KEY (owner, version))`);
      await other.query(`INSERT INTO public.entity_documents VALUES ('u', 'keep', 'theirs', '{}', '[1,2,3]', now())`);
      for (const rows of ['with a row', 'empty']) {
        if (rows === 'empty') await other.query('DELETE FROM public.entity_documents');
        const memory = postgresMemory({ url: url.toString(), schema: `own_${rows === 'empty' ? 'b' : 'a'}`, dimensions: 8 });
        await memory.start();
        await memory.stop();
        const theirs = await other.query<{ type: string }>(
          `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'public.entity_documents'::regclass AND attname = 'embedding'`,
        );
        expect(theirs.rows[0]?.type, rows).toBe('vector(3)');
      }
      const ours = await other.query<{ type: string }>(
        `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'own_a.entity_documents'::regclass AND attname = 'embedding'`,
      );
      expect(ours.rows[0]?.type).toBe('vector(8)');
    } finally {
      await other.end().catch(() => undefined);
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.end();
    }
  });

  it('never uses more connections than poolSize', async () => {
    const schema = freshSchema('pool');
    schemas.push(schema);
    const memory = postgresMemory({ url: DATABASE_URL, schema, poolSize: 2 });
    await memory.start();
    try {
      const pids = await Promise.all(
        Array.from({ length: 12 }, () => memory.database.sql<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.02)')),
      );
      expect(new Set(pids.map((result) => result.rows[0]!.pid)).size).toBeLessThanOrEqual(2);
    } finally {
      await memory.stop();
    }
  });

  it('opens the circuit after 3 availability failures and closes it once the server is back', async () => {
    const target = parseConnectionUrl(DATABASE_URL);
    const proxy = new TcpProxy(target.host, target.port);
    await proxy.start();
    const schema = freshSchema('circuit');
    schemas.push(schema);
    let now = 1_000_000;
    const url = new URL(DATABASE_URL);
    url.host = `127.0.0.1:${proxy.port}`;
    url.password = 'Sup3r-Secret';
    const memory = postgresMemory({
      url: url.toString(),
      schema,
      connectTimeoutMs: 1_000,
      resilience: { retries: 0, resetTimeoutMs: 10_000, now: () => now },
    });
    await memory.start();
    try {
      await memory.set('circuit-user', 'k', 1);
      await proxy.stop();
      for (let attempt = 1; attempt <= 3; attempt++) {
        const error = await rejectionOf(memory.get('circuit-user', 'k'));
        expect(MemoryDatabaseError.isInstance(error), String(error)).toBe(true);
        expect((error as MemoryDatabaseError).transient).toBe(true);
        expect((error as Error).message).not.toContain('Sup3r-Secret');
        expect((error as MemoryDatabaseError).safeMessage).toMatch(/unavailable/);
      }
      expect(memory.circuitBreaker?.state).toBe('open');
      const refused = await rejectionOf(memory.get('circuit-user', 'k'));
      expect(CircuitOpenError.isInstance(refused)).toBe(true);
      expect((await memory.healthCheck()).healthy).toBe(false);

      await proxy.start();
      now += 10_001;
      expect(await memory.get('circuit-user', 'k')).toBe(1);
      expect(memory.circuitBreaker?.state).toBe('closed');
    } finally {
      await memory.stop();
      await proxy.stop();
    }
  });

  it('cancels slow queries on the server but gives migrations their own budget', async () => {
    const schema = freshSchema('timeout');
    schemas.push(schema);
    const memory = postgresMemory({ url: DATABASE_URL, schema, resilience: { timeoutMs: 2_000, retries: 0 } });
    await memory.start();
    try {
      // The server's statement timeout (1.6 s) ends it before the client's 2 s budget: cancelled and rolled back there.
      const error = await rejectionOf(memory.database.sql('SELECT pg_sleep(5)'));
      expect((error as MemoryDatabaseError).sqlState).toBe('57014');
      await memory.database.migrate('slow-plugin', [{ version: 1, name: 'slow', sql: 'SELECT pg_sleep(2.5); CREATE TABLE slow_plugin_done (x int);' }]);
      expect((await memory.database.sql('SELECT count(*) FROM slow_plugin_done')).rowCount).toBe(1);
    } finally {
      await memory.stop();
    }
  });

  it('starts and works with a time budget under a second; the server\'s statement timeout stays just below it', async () => {
    for (const [timeoutMs, statementTimeout] of [
      [500, '400ms'],
      [1_000, '800ms'],
      [1_100, '880ms'],
      [30_000, '29s'],
    ] as const) {
      const schema = freshSchema('short-budget');
      schemas.push(schema);
      const memory = postgresMemory({ url: DATABASE_URL, schema, resilience: { timeoutMs, retries: 0 } });
      await memory.start();
      try {
        await memory.set('budget-user', 'k', timeoutMs);
        expect(await memory.get('budget-user', 'k')).toBe(timeoutMs);
        const shown = await memory.database.sql<{ statement_timeout: string }>('SHOW statement_timeout');
        expect(shown.rows[0]!.statement_timeout).toBe(statementTimeout);
      } finally {
        await memory.stop();
      }
    }
  });

  it('never shows the URL or its password in util.inspect or JSON.stringify, before or after start', async () => {
    const schema = freshSchema('inspect');
    schemas.push(schema);
    const url = new URL(DATABASE_URL);
    // Trust authentication ignores the password, so the URL still connects.
    url.password = 'S3cretPw';
    const memory = postgresMemory({ url: url.toString(), schema, poolSize: 1 });
    const shown = () => [inspect(memory, { depth: Number.POSITIVE_INFINITY, showHidden: true }), JSON.stringify(memory) ?? ''];
    for (const text of shown()) {
      expect(text).not.toContain('S3cretPw');
      expect(text).not.toContain('postgres://');
    }
    await memory.start();
    try {
      await memory.set('inspect-user', 'k', 1);
      for (const text of shown()) {
        expect(text).not.toContain('S3cretPw');
        expect(text).not.toContain('postgres://');
      }
    } finally {
      await memory.stop();
    }
  });

  it('does not count a plugin\'s bad SQL against the circuit', async () => {
    const schema = freshSchema('badsql');
    schemas.push(schema);
    const memory = postgresMemory({ url: DATABASE_URL, schema });
    await memory.start();
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const error = await rejectionOf(memory.database.sql('SELECT * FROM no_such_table'));
        expect((error as MemoryDatabaseError).sqlState).toBe('42P01');
      }
      expect(memory.circuitBreaker?.state).toBe('closed');
    } finally {
      await memory.stop();
    }
  });
});
