import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { MissingPackageError, ResourceError } from '@entity/core';
import type { PGlite } from '@electric-sql/pglite';
import type { QueryResult, SqlDriver, SqlExecutor } from './sql-driver.js';

/** Paths starting with this keep the database in memory (nothing written to disk). */
export const IN_MEMORY_PREFIX = 'memory://';

interface SharedDatabase {
  ready: Promise<PGlite>;
  users: number;
  lockFile: string | undefined;
}

// One PGlite per path per process: PGlite is a single-connection database and two instances
// on the same files would corrupt them.
const openDatabases = new Map<string, SharedDatabase>();
// A path being closed must finish closing before it is opened again.
const closingDatabases = new Map<string, Promise<void>>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuses to open files another live process holds; takes over locks left by dead ones. */
async function acquireLock(lockFile: string, resourceName: string, path: string): Promise<void> {
  const mine = String(process.pid);
  try {
    await writeFile(lockFile, mine, { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number.parseInt(await readFile(lockFile, 'utf8').catch(() => ''), 10);
  if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
    throw new ResourceError(
      resourceName,
      `The PGlite memory at ${path} is in use by process ${holder}. PGlite is single-process: stop the other process, give each process its own path, or use the postgres memory for several workers.`,
      { code: 'MEMORY_LOCKED' },
    );
  }
  await writeFile(lockFile, mine);
}

async function openShared(key: string, dataDir: string | undefined, resourceName: string, path: string): Promise<PGlite> {
  let modules: [typeof import('@electric-sql/pglite'), typeof import('@electric-sql/pglite/vector')];
  try {
    modules = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/vector')]);
  } catch (error) {
    throw new MissingPackageError('@electric-sql/pglite', 'The pglite memory', { cause: error });
  }
  const [{ PGlite }, { vector }] = modules;
  try {
    if (dataDir) await mkdir(dirname(dataDir), { recursive: true });
    return await PGlite.create(dataDir ?? key, { extensions: { vector } });
  } catch (error) {
    throw new ResourceError(
      resourceName,
      `Cannot open the PGlite memory at ${path}: check that the folder is writable and was not created by an incompatible PGlite version (delete it to start fresh).`,
      { cause: error, code: 'MEMORY_UNREACHABLE' },
    );
  }
}

/** Embedded PostgreSQL (WASM) with pgvector; shares one instance per path within the process. */
export class PgliteDriver implements SqlDriver {
  readonly kind = 'pglite' as const;
  readonly description: string;
  private readonly key: string;
  private readonly dataDir: string | undefined;
  private database: PGlite | undefined;

  constructor(
    private readonly path: string,
    private readonly resourceName: string,
    /** Session settings (validated numbers and keywords from `searchSettings`). */
    private readonly settings: Readonly<Record<string, string | number>> = {},
  ) {
    this.dataDir = path.startsWith(IN_MEMORY_PREFIX) ? undefined : resolve(path);
    this.key = this.dataDir ?? path;
    this.description = `PGlite at ${path}`;
  }

  async open(): Promise<void> {
    if (this.database) return;
    await closingDatabases.get(this.key)?.catch(() => undefined);
    let shared = openDatabases.get(this.key);
    if (!shared) {
      const lockFile = this.dataDir ? `${this.dataDir}.lock` : undefined;
      const dataDir = this.dataDir;
      const ready = (async () => {
        if (lockFile && dataDir) {
          await mkdir(dirname(dataDir), { recursive: true });
          await acquireLock(lockFile, this.resourceName, this.path);
        }
        try {
          return await openShared(this.key, dataDir, this.resourceName, this.path);
        } catch (error) {
          if (lockFile) await rm(lockFile, { force: true });
          throw error;
        }
      })();
      shared = { ready, users: 0, lockFile };
      openDatabases.set(this.key, shared);
    }
    shared.users++;
    try {
      const database = await shared.ready;
      const statements = Object.entries(this.settings).map(([name, value]) => `SET ${name} = ${value};`);
      if (statements.length > 0) await database.exec(statements.join('\n'));
      this.database = database;
    } catch (error) {
      shared.users--;
      if (shared.users === 0 && openDatabases.get(this.key) === shared) {
        openDatabases.delete(this.key);
        // Only a database we opened holds our lock; a failed open already released (or never took) it.
        const opened = await shared.ready.catch(() => undefined);
        if (opened) {
          await opened.close().catch(() => undefined);
          if (shared.lockFile) await rm(shared.lockFile, { force: true });
        }
      }
      throw error;
    }
  }

  private requireDatabase(): PGlite {
    if (!this.database) throw new ResourceError(this.resourceName, 'The pglite memory is not started; call start() first');
    return this.database;
  }

  async query<Row = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    const result = await this.requireDatabase().query<Row>(text, [...params]);
    return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
  }

  async exec(script: string): Promise<void> {
    await this.requireDatabase().exec(script);
  }

  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.requireDatabase().transaction((transaction) =>
      work({
        query: async <Row>(text: string, params: readonly unknown[] = []) => {
          const result = await transaction.query<Row>(text, [...params]);
          return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
        },
        exec: async (script) => {
          await transaction.exec(script);
        },
      }),
    );
  }

  async close(): Promise<void> {
    if (!this.database) return;
    this.database = undefined;
    const shared = openDatabases.get(this.key);
    if (!shared) return;
    shared.users--;
    if (shared.users > 0) return;
    openDatabases.delete(this.key);
    const closing = (async () => {
      const database = await shared.ready;
      await database.close();
      if (shared.lockFile) await rm(shared.lockFile, { force: true });
    })();
    closingDatabases.set(this.key, closing);
    try {
      await closing;
    } finally {
      if (closingDatabases.get(this.key) === closing) closingDatabases.delete(this.key);
    }
  }
}
