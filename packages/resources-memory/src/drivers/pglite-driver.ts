import { access, mkdir, realpath } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MissingPackageError, ResourceError } from '@entity/core';
import { acquireLockFile, releaseLockFile } from './pglite/lock-file.js';
import { PgliteWorkerClient, WorkerOpenError } from './pglite/worker-client.js';
import type { QueryResult, SqlDriver, SqlExecutor } from './sql-driver.js';

/** Paths starting with this keep the database in memory (nothing written to disk). */
export const IN_MEMORY_PREFIX = 'memory://';

interface SharedDatabase {
  ready: Promise<PgliteWorkerClient>;
  users: number;
  lock: FolderLock | undefined;
}

interface FolderLock {
  file: string;
  /** What this instance wrote into the lock file, once taken: only a lock still holding it is ours to delete. */
  token?: string;
}

interface OpenDatabases {
  /** One PGlite per folder, keyed by the folder's real path (a symlink reaches the same instance). */
  open: Map<string, SharedDatabase>;
  /** A folder being closed must finish closing before it is opened again. */
  closing: Map<string, Promise<void>>;
}

// PGlite is a single-connection database and two instances on the same files would corrupt
// them. The registry lives on globalThis, not in this module, so that every copy of the package
// loaded in this thread (two installed versions, a bundler's copy, a test runner's module
// graph) shares the open instances. The version in the key keeps an incompatible future shape apart.
const OPEN_DATABASES = Symbol.for('entity.pglite.open-databases.v1');

function openDatabases(): OpenDatabases {
  const holder = globalThis as { [OPEN_DATABASES]?: OpenDatabases };
  holder[OPEN_DATABASES] ??= { open: new Map(), closing: new Map() };
  return holder[OPEN_DATABASES];
}

async function releaseLock(lock: FolderLock | undefined): Promise<void> {
  if (lock?.token) await releaseLockFile(lock.file, lock.token);
}

export interface PgliteDriverOptions {
  /** Open only a folder that already holds a database (readers): never create one. Default: false. */
  mustExist?: boolean;
}

/**
 * The worker of `shared` ended by itself: its files are no longer in use, so the folder is
 * released at once and the next memory started on it opens a new instance. The memories that
 * used the dead one keep failing with MEMORY_WORKER_EXITED until they are restarted.
 */
function forgetCrashed(key: string, shared: SharedDatabase): void {
  const { open, closing } = openDatabases();
  if (open.get(key) !== shared) return;
  open.delete(key);
  const released = releaseLock(shared.lock);
  closing.set(key, released);
  void released
    .catch(() => undefined)
    .finally(() => {
      if (closing.get(key) === released) closing.delete(key);
    });
}

/**
 * Embedded PostgreSQL (WASM) with pgvector, run in a worker thread so SQL never blocks the
 * event loop; one instance (and worker) per folder per process, shared by every memory on it.
 */
export class PgliteDriver implements SqlDriver {
  readonly kind = 'pglite' as const;
  readonly description: string;
  private key: string | undefined;
  private shared: SharedDatabase | undefined;
  private database: PgliteWorkerClient | undefined;

  constructor(
    private readonly path: string,
    private readonly resourceName: string,
    private readonly options: PgliteDriverOptions = {},
  ) {
    this.description = `PGlite at ${path}`;
  }

  /** For readers: a folder that holds no database yet is an error, never created. */
  private async requireExistingDatabase(): Promise<string> {
    try {
      const dataDir = await realpath(resolve(this.path));
      // Every PostgreSQL data folder has PG_VERSION; PGlite would create a database in any other folder.
      await access(join(dataDir, 'PG_VERSION'));
      return dataDir;
    } catch (error) {
      throw new ResourceError(this.resourceName, `There is no PGlite memory at ${this.path} yet: no agent has stored anything there.`, {
        cause: error,
        code: 'MEMORY_NOT_FOUND',
      });
    }
  }

  /** The folder's real path (created first, so symlinks resolve), or the in-memory name. */
  private async locate(): Promise<{ key: string; dataDir: string | undefined }> {
    if (this.path.startsWith(IN_MEMORY_PREFIX)) return { key: this.path, dataDir: undefined };
    if (this.options.mustExist) {
      const dataDir = await this.requireExistingDatabase();
      return { key: dataDir, dataDir };
    }
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

  private async openShared(
    key: string,
    dataDir: string | undefined,
    folderLock: FolderLock | undefined,
    onCrash: () => void,
  ): Promise<PgliteWorkerClient> {
    if (folderLock) {
      const lockFile = folderLock.file;
      const lock = await acquireLockFile(lockFile).catch((error: unknown) => {
        throw new ResourceError(this.resourceName, `Cannot lock the PGlite memory at ${this.path}: ${(error as Error).message}`, {
          cause: error,
          code: 'MEMORY_LOCKED',
        });
      });
      if (!lock.acquired) {
        const message = lock.sameProcess
          ? `The PGlite memory at ${this.path} is in use by this process (thread ${lock.thread ?? 'unknown'}): another thread, or another copy of @entity/resources-memory that does not share open databases with this one, opened it (see ${lockFile}). PGlite opens a folder once per process: use the memory from one thread only, give each thread its own path, or use the postgres memory.`
          : `The PGlite memory at ${this.path} is in use by process ${lock.holder} (see ${lockFile}). PGlite is single-process: stop the other process, give each process its own path, or use the postgres memory for several workers.`;
        throw new ResourceError(this.resourceName, message, { code: 'MEMORY_LOCKED', details: { lockFile, holder: lock.holder, sameProcess: lock.sameProcess } });
      }
      folderLock.token = lock.token;
    }
    try {
      return await PgliteWorkerClient.open({ dataDir: dataDir ?? key }, onCrash);
    } catch (error) {
      await releaseLock(folderLock);
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
    const { open, closing } = openDatabases();
    await closing.get(key)?.catch(() => undefined);
    let shared = open.get(key);
    if (!shared) {
      const lock = dataDir ? { file: `${dataDir}.lock` } : undefined;
      const created: SharedDatabase = { ready: this.openShared(key, dataDir, lock, () => forgetCrashed(key, created)), users: 0, lock };
      shared = created;
      open.set(key, shared);
    }
    shared.users++;
    try {
      this.database = await shared.ready;
      this.key = key;
      this.shared = shared;
    } catch (error) {
      shared.users--;
      if (shared.users === 0 && open.get(key) === shared) {
        open.delete(key);
        // Only a database we opened holds our lock; a failed open already released (or never took) it.
        const opened = await shared.ready.catch(() => undefined);
        if (opened) {
          await opened.close().catch(() => undefined);
          await releaseLock(shared.lock);
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
    const { key, shared } = this;
    if (!this.database || key === undefined || !shared) return;
    this.database = undefined;
    this.shared = undefined;
    shared.users--;
    if (shared.users > 0) return;
    const { open, closing: closingDatabases } = openDatabases();
    // After a crash the folder may already be open again by others: that entry is not ours.
    if (open.get(key) === shared) open.delete(key);
    const closing = (async () => {
      const database = await shared.ready;
      await database.close();
      await releaseLock(shared.lock);
    })();
    closingDatabases.set(key, closing);
    try {
      await closing;
    } finally {
      if (closingDatabases.get(key) === closing) closingDatabases.delete(key);
    }
  }
}
