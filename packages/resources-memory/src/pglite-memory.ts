import { resolve } from 'node:path';
import { ConfigError } from '@entity/core';
import { DatabaseMemory, type MemoryOptions } from './database-memory.js';
import { PgliteDriver } from './drivers/pglite-driver.js';

/** Default folder of the embedded database, relative to the working directory. */
export const DEFAULT_PGLITE_PATH = './.entity/memory';

export interface PgliteMemoryOptions extends MemoryOptions {
  /**
   * Folder of the database files. Default: `./.entity/memory`. `memory://<name>` keeps
   * everything in memory (lost at exit). Opened once per process per path and shared by every
   * memory using it; only one process may use a folder at a time.
   */
  path?: string;
}

/**
 * Memory in an embedded PostgreSQL (PGlite, WebAssembly) with pgvector: zero setup, one
 * process, data in a local folder. Same schema and SQL as `postgresMemory`, so moving to a
 * server later is a configuration change. Opening takes a few seconds.
 */
export function pgliteMemory(options: PgliteMemoryOptions = {}): DatabaseMemory {
  const path = options.path ?? DEFAULT_PGLITE_PATH;
  if (typeof path !== 'string' || path.trim() === '') {
    throw new ConfigError([{ path: 'path', message: 'must be a non-empty folder path', fix: 'e.g. path: ./.entity/memory' }]);
  }
  return new DatabaseMemory(({ resourceName, readOnly }) => new PgliteDriver(path, resourceName, { mustExist: readOnly }), options);
}

/**
 * The zero-config memory: PGlite under `./.entity/memory`, hashing embeddings unless an LLM can
 * embed. `baseDir` (the config file's folder, from the agent) is where that relative path starts;
 * default: the working directory.
 */
export function defaultMemory(options: PgliteMemoryOptions & { baseDir?: string } = {}): DatabaseMemory {
  const { baseDir, ...rest } = options;
  return pgliteMemory(baseDir === undefined ? rest : { ...rest, path: resolve(baseDir, rest.path ?? DEFAULT_PGLITE_PATH) });
}
