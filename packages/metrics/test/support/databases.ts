import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Memory } from '@entity/core';
import { pgliteMemory, postgresMemory } from '@entity/resources-memory';
import { ensurePgliteTemplate, seedPgliteFolder } from '@entity/resources-memory/testing';
import { startContext } from './start-context.js';

const REPOSITORY_ROOT = resolve(import.meta.dirname, '../../../..');

/** DATABASE_URL, else what scripts/ensure-postgres.sh wrote, else the local default. */
export function databaseUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  const written = resolve(REPOSITORY_ROOT, '.entity/database-url.env');
  if (existsSync(written)) {
    const match = /^DATABASE_URL=(.+)$/m.exec(readFileSync(written, 'utf8'));
    if (match) return match[1]!.trim();
  }
  return 'postgres://postgres@127.0.0.1:5432/entity_test';
}

export type StartedMemory = Memory & { start(context: unknown): Promise<void>; stop(): Promise<void> };

/**
 * A started PGlite memory in `path` (a folder, or `memory://name` for a throwaway one). A new
 * folder starts as a copy of an initialised database, and a throwaway one is such a copy in a
 * temporary folder, removed at stop: an initdb per test would cost seconds each.
 */
export async function startPglite(path: string): Promise<StartedMemory> {
  await ensurePgliteTemplate();
  const throwaway = path.startsWith('memory://') ? mkdtempSync(join(tmpdir(), 'entity-metrics-')) : undefined;
  const folder = seedPgliteFolder(throwaway ? join(throwaway, 'db') : path);
  const memory = pgliteMemory({ path: folder, embedder: 'hashing' }) as unknown as StartedMemory;
  await memory.start(startContext('memory'));
  if (throwaway) {
    const stop = memory.stop.bind(memory);
    memory.stop = async () => {
      await stop();
      rmSync(throwaway, { recursive: true, force: true });
    };
  }
  return memory;
}

/**
 * A started Postgres memory in a fresh schema, or undefined when no server is reachable. Under
 * CI=true a missing server is an error that says how to start one.
 */
export async function startPostgres(): Promise<{ memory: StartedMemory; schema: string; drop(): Promise<void> } | undefined> {
  const schema = `entity_metrics_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
  const memory = postgresMemory({ url: databaseUrl(), schema, embedder: 'hashing', connectTimeoutMs: 3000 }) as unknown as StartedMemory;
  try {
    await memory.start(startContext('memory'));
  } catch (error) {
    const message = `PostgreSQL is not usable at ${databaseUrl().replace(/:[^:@/]*@/, ':***@')} (${(error as Error).message}). Start it with scripts/ensure-postgres.sh and export the DATABASE_URL it prints.`;
    if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(message);
    console.warn(`[metrics] skipping PostgreSQL tests: ${message}`);
    return undefined;
  }
  return {
    memory,
    schema,
    async drop() {
      await memory.database!.sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await memory.stop();
    },
  };
}
