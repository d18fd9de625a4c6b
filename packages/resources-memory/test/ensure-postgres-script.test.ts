import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, postgresAvailable } from './support/postgres.js';

// scripts/ensure-postgres.sh (run by scripts/entity.sh before the tests) against the real
// server, with database names that break naively built SQL, connection strings and shell code.
const SCRIPT = resolve(import.meta.dirname, '../../../scripts/ensure-postgres.sh');
const available = await postgresAvailable();
const server = new URL(DATABASE_URL);
const folders: string[] = [];
const created: string[] = [];

afterAll(async () => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  if (!available || created.length === 0) return;
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
});

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
  /** A copy of the repository root holding only the script, so `.entity/` is written there. */
  root: string;
}

/** Runs a copy of the script, so the `.entity/database-url.env` it writes stays in a temporary folder. */
function runScript(database: string): Promise<ScriptRun> {
  const root = mkdtempSync(join(tmpdir(), 'entity-ensure-postgres-'));
  folders.push(root);
  mkdirSync(join(root, 'scripts'));
  copyFileSync(SCRIPT, join(root, 'scripts/ensure-postgres.sh'));
  const env = {
    ...process.env,
    ENTITY_PG_HOST: server.hostname,
    ENTITY_PG_PORT: server.port || '5432',
    ENTITY_PG_USER: decodeURIComponent(server.username || 'postgres'),
    ENTITY_PG_DATABASE: database,
  };
  return new Promise((resolveRun) => {
    execFile('bash', [join(root, 'scripts/ensure-postgres.sh')], { cwd: root, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolveRun({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr, root });
    });
  });
}

/** What a caller gets from `eval "$(scripts/ensure-postgres.sh)"`, evaluated in `folder`. */
function evaluate(printed: string, folder: string): Promise<string> {
  return new Promise((resolveEval, rejectEval) => {
    execFile('bash', ['-c', 'eval "$1"; printf %s "$DATABASE_URL"', 'eval-test', printed], { cwd: folder }, (error, stdout) =>
      error ? rejectEval(error) : resolveEval(stdout),
    );
  });
}

describe.skipIf(!available)('scripts/ensure-postgres.sh', () => {
  it('creates a database whose name holds quotes, "=", backslashes and shell code, and prints a URL that names it', async () => {
    const name = `eh_${randomBytes(3).toString('hex')} it's "q"; $(touch pwned) = \\ ü`;
    created.push(name);
    const run = await runScript(name);
    expect(run.code, run.stderr).toBe(0);
    const url = await evaluate(run.stdout, run.root);
    expect(existsSync(join(run.root, 'pwned')), 'the printed line ran shell code').toBe(false);
    expect(decodeURIComponent(new URL(url).pathname.slice(1))).toBe(name);
    expect(readFileSync(join(run.root, '.entity/database-url.env'), 'utf8')).toBe(`DATABASE_URL=${url}\n`);
    // The URL works as printed: it reaches exactly that database, with pgvector enabled.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ database: string; vector: string | null }>(
        "SELECT current_database() AS database, (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vector",
      );
      expect(rows[0]?.database).toBe(name);
      expect(rows[0]?.vector).toMatch(/^\d+\.\d+/);
    } finally {
      await client.end();
    }
    // Run again: the database is found, not created a second time.
    const again = await runScript(name);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/creating database/);
  });

  it('refuses names it could not hand back in a URL, before touching the server', async () => {
    for (const [name, reason] of [
      [`eh_long_${'x'.repeat(60)}`, /ENTITY_PG_DATABASE must be 1 to 63 bytes/],
      ['eh_long_a/b', /must not contain \/ \? or #/],
      ['eh_long_a#b', /must not contain \/ \? or #/],
    ] as const) {
      // Dropped afterwards in case the script did create it (as PostgreSQL truncates long names).
      created.push(name.slice(0, 63));
      const run = await runScript(name);
      expect(run.code, name).not.toBe(0);
      expect(run.stderr).toMatch(reason);
    }
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname LIKE $1', ['eh_long_%']);
      expect(rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
