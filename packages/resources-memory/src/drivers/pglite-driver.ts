import { mkdir, realpath, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MissingPackageError, ResourceError } from '@entity/core';
import { acquireLockFile } from './pglite/lock-file.js';
import { PgliteWorkerClient, WorkerOpenError } from './pglite/worker-client.js';
import type { QueryResult, SqlDriver, SqlExecutor } from './sql-driver.js';

/** Paths starting with this keep the database in memory (nothing written to disk). */
export const IN_MEMORY_PREFIX = 'memory://';

interface SharedDatabase {
  ready: Promise<PgliteWorkerClient>;
  users: number;
  lockFile: string | undefined;
}

// One PGlite per folder per process, keyed by the folder's real path (a symlink reaches the
// same instance): PGlite is a single-connection database and two instances on the same files
// would corrupt them.
const openDatabases = new Map<string, SharedDatabase>();
// A folder being closed must finish closing before it is opened again.
const closingDatabases = new Map<string, Promise<void>>();

/**
 * Embedded PostgreSQL (WASM) with pgvector, run in a worker thread so SQL never blocks the
 * event loop; one instance (and worker) per folder per process, shared by every memory on it.
 */
export class PgliteDriver implements SqlDriver {
  readonly kind = 'pglite' as const;
  readonly description: string;
  private key: string | undefined;
  private database: PgliteWorkerClient | undefined;

  constructor(
    private readonly path: string,
    private readonly resourceName: string,
  ) {
    this.description = `PGlite at ${path}`;
  }

  /** The folder's real path (created first, so symlinks resolve), or the in-memory name. */
  private async locate(): Promise<{ key: string; dataDir: string | undefined }> {
    if (this.path.startsWith(IN_MEMORY_PREFIX)) return { key: this.path, dataDir: undefined };
    try {
      const requested = resolve(this.path);
      await mkdir(requested, { recursive: true });
      const dataDir = await realpath(requested);
      return { key: dataDir, dataDir };
    } catch (error) {
      throw new ResourceError(this.resourceName, `Cannot create the PGlite memory folder ${this.path}: check that its parent folder exists and is writable.`, {
        cause: error,
        code: 'MEMORY_UNREACHABLE',
      });
    }
  }

  private async openShared(key: string, dataDir: string | undefined, lockFile: string | undefined): Promise<PgliteWorkerClient> {
    if (lockFile) {
      const lock = await acquireLockFile(lockFile).catch((error: unknown) => {
        throw new ResourceError(this.resourceName, `Cannot lock the PGlite memory at ${this.path}: ${(error as Error).message}`, {
          cause: error,
          code: 'MEMORY_LOCKED',
        });
      });
      if (!lock.acquired) {
        throw new ResourceError(
          this.resourceName,
          `The PGlite memory at ${this.path} is in use by process ${lock.holder}. PGlite is single-process: stop the other process, give each process its own path, or use the postgres memory for several workers.`,
          { code: 'MEMORY_LOCKED' },
        );
      }
    }
    try {
      return await PgliteWorkerClient.open({ dataDir: dataDir ?? key });
    } catch (error) {
      if (lockFile) await rm(lockFile, { force: true });
      if (error instanceof WorkerOpenError && error.missingPackage) {
        throw new MissingPackageError('@electric-sql/pglite', 'The pglite memory', { cause: error.cause });
      }
      throw new ResourceError(
        this.resourceName,
        `Cannot open the PGlite memory at ${this.path}: check that the folder is writable and was not created by an incompatible PGlite version (delete it to start fresh).`,
        { cause: error instanceof WorkerOpenError ? error.cause : error, code: 'MEMORY_UNREACHABLE' },
      );
    }
  }

  async open(): Promise<void> {
    if (this.database) return;
    const { key, dataDir } = await this.locate();
    await closingDatabases.get(key)?.catch(() => undefined);
    let shared = openDatabases.get(key);
    if (!shared) {
      const lockFile = dataDir ? `${dataDir}.lock` : undefined;
      shared = { ready: this.openShared(key, dataDir, lockFile), users: 0, lockFile };
      openDatabases.set(key, shared);
    }
    shared.users++;
    try {
      this.database = await shared.ready;
      this.key = key;
    } catch (error) {
      shared.users--;
      if (shared.users === 0 && openDatabases.get(key) === shared) {
        openDatabases.delete(key);
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

  private requireDatabase(): PgliteWorkerClient {
    if (!this.database) throw new ResourceError(this.resourceName, 'The pglite memory is not started; call start() first');
    return this.database;
  }

  query<Row = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return this.executor().query<Row>(text, params);
  }

  exec(script: string): Promise<void> {
    return this.executor().exec(script);
  }

  executor(signal?: AbortSignal): SqlExecutor {
    return this.requireDatabase().executor(signal);
  }

  transaction<T>(work: (executor: SqlExecutor) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.requireDatabase().transaction(work, signal);
  }

  async close(): Promise<void> {
    const key = this.key;
    if (!this.database || key === undefined) return;
    this.database = undefined;
    const shared = openDatabases.get(key);
    if (!shared) return;
    shared.users--;
    if (shared.users > 0) return;
    openDatabases.delete(key);
    const closing = (async () => {
      const database = await shared.ready;
      await database.close();
      if (shared.lockFile) await rm(shared.lockFile, { force: true });
    })();
    closingDatabases.set(key, closing);
    try {
      await closing;
    } finally {
      if (closingDatabases.get(key) === closing) closingDatabases.delete(key);
    }
  }
}
