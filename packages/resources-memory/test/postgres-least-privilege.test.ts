import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResourceError } from '@entity/core';
import { postgresMemory } from '../src/index.js';
import { DATABASE_URL, freshSchema, postgresAvailable } from './support/postgres.js';

const available = await postgresAvailable();

/** Generous: the old driver never settled at all (pool.end() waited for its own checked-out client). */
const SETTLE_WITHIN_MS = 15_000;

async function settledWithin<T>(promise: Promise<T>, label: string): Promise<PromiseSettledResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} did not settle within ${SETTLE_WITHIN_MS} ms`)), SETTLE_WITHIN_MS);
  });
  try {
    return await Promise.race([Promise.allSettled([promise]).then(([result]) => result!), deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function asAdmin(statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * The least-privilege set-up: an administrator creates the role and its schema; the role itself
 * has no CREATE privilege on the database, so it may not run CREATE SCHEMA, even IF NOT EXISTS.
 */
describe.skipIf(!available)('postgres: a role without CREATE on the database', () => {
  const role = `entity_test_role_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const ownedSchema = freshSchema('least_privilege');
  const missingSchema = freshSchema('least_privilege_missing');
  const roleUrl = (() => {
    const url = new URL(DATABASE_URL);
    url.username = role;
    url.password = '';
    return url.toString();
  })();

  beforeAll(async () => {
    await asAdmin([
      `CREATE ROLE "${role}" LOGIN`,
      `REVOKE CREATE ON DATABASE "${new URL(DATABASE_URL).pathname.slice(1)}" FROM "${role}"`,
      'CREATE EXTENSION IF NOT EXISTS vector',
      `CREATE SCHEMA "${ownedSchema}" AUTHORIZATION "${role}"`,
    ]);
  });

  afterAll(async () => {
    await asAdmin([
      `DROP SCHEMA IF EXISTS "${ownedSchema}" CASCADE`,
      `DROP SCHEMA IF EXISTS "${missingSchema}" CASCADE`,
      `DROP OWNED BY "${role}" CASCADE`,
      `DROP ROLE IF EXISTS "${role}"`,
    ]);
  });

  it('starts in a schema the administrator created for it', async () => {
    const memory = postgresMemory({ url: roleUrl, schema: ownedSchema, poolSize: 2 });
    const started = await settledWithin(memory.start(), 'start()');
    try {
      expect(started.status === 'rejected' ? String(started.reason) : 'started').toBe('started');
      await memory.set('least-privilege-user', 'k', 'v');
      expect(await memory.get('least-privilege-user', 'k')).toBe('v');
    } finally {
      await settledWithin(memory.stop(), 'stop()');
    }
  });

  it('fails start promptly, naming the privilege and the fix, when its schema is missing', async () => {
    const memory = postgresMemory({ url: roleUrl, schema: missingSchema, poolSize: 2 });
    const started = await settledWithin(memory.start(), 'start()');
    expect(started.status).toBe('rejected');
    const error = (started as PromiseRejectedResult).reason as ResourceError;
    expect(ResourceError.isInstance(error)).toBe(true);
    expect(error.code).toBe('MEMORY_SCHEMA_FORBIDDEN');
    expect(error.message).toContain(missingSchema);
    expect(error.message).toContain(`AUTHORIZATION "${role}"`);
    expect(error.message).toMatch(/42501|privilege/);
    expect(error.message).toMatch(/CREATE SCHEMA/);
    // Nothing left behind: a later start with the schema in place works.
    await asAdmin([`CREATE SCHEMA "${missingSchema}" AUTHORIZATION "${role}"`]);
    const retried = await settledWithin(memory.start(), 'second start()');
    try {
      expect(retried.status === 'rejected' ? String(retried.reason) : 'started').toBe('started');
    } finally {
      await settledWithin(memory.stop(), 'stop()');
    }
  });
});
