import { ConfigError, type Storage, ValidationError } from '@entity/core';
import { formatBytes } from './body.js';
import { MAX_LIST_LIMIT } from './create-storage.js';
import { parseByteSize } from './storage-options.js';

/** How much one scope (one user, or the shared folder) may hold through the file tools. */
export interface FileQuota {
  /** Total bytes of the scope's files, backups included (a number or a size like `"100 MB"`). Default: 100 MB. */
  maxBytes?: number | string;
  /** Number of files in the scope, backups included. Default: 1,000. */
  maxFiles?: number;
}

/**
 * Per-scope limits when `fileTools()` is given none: room for the notes and reports an agent
 * keeps for a user, small enough that a runaway model cannot fill a disk or a bucket.
 */
export const DEFAULT_FILE_QUOTA: Readonly<{ maxBytes: number; maxFiles: number }> = Object.freeze({ maxBytes: 100 * 1024 * 1024, maxFiles: 1000 });

export interface ResolvedQuota {
  readonly maxBytes: number;
  readonly maxFiles: number;
}

/** Checks a quota once, when the tools are built, so a typo fails at start rather than on the first write. */
export function resolveQuota(quota: FileQuota = {}): ResolvedQuota {
  const maxBytes = parseByteSize(quota.maxBytes ?? DEFAULT_FILE_QUOTA.maxBytes, 'quota.maxBytes');
  const maxFiles = quota.maxFiles ?? DEFAULT_FILE_QUOTA.maxFiles;
  if (!(Number.isSafeInteger(maxFiles) && maxFiles >= 1) && maxFiles !== Number.POSITIVE_INFINITY) {
    throw new ConfigError([{ path: 'quota.maxFiles', message: `${JSON.stringify(maxFiles)} is not a file count`, fix: 'use a whole number of at least 1, or Infinity' }]);
  }
  return { maxBytes, maxFiles };
}

interface Usage {
  bytes: number;
  files: number;
  /** Size of the file being written, when it exists. */
  existing: number | undefined;
}

/** Adds up the scope's files; stops early once the count alone is over the limit. */
async function usageOf(scope: Storage, key: string, quota: ResolvedQuota): Promise<Usage> {
  const usage: Usage = { bytes: 0, files: 0, existing: undefined };
  let cursor: string | undefined;
  do {
    const page = await scope.list('', { limit: MAX_LIST_LIMIT, ...(cursor === undefined ? {} : { cursor }) });
    for (const item of page.items) {
      usage.bytes += item.size;
      usage.files++;
      if (item.key === key) usage.existing = item.size;
    }
    cursor = page.cursor;
  } while (cursor !== undefined && usage.files <= quota.maxFiles);
  return usage;
}

function exceeded(key: string, amount: string, limit: string, setting: string): ValidationError {
  const message = `write_file refused for "${key}": it would make ${amount}, over the limit of ${limit} (quota.${setting}). Overwrite or reuse an existing file, or ask the operator to raise the limit.`;
  // The model reads this text; it names the limit and holds nothing secret, so it is also the safe message.
  return new ValidationError(message, { code: 'STORAGE_QUOTA_EXCEEDED', safeMessage: message, details: { key, operation: 'put', limit: setting } });
}

/**
 * Refuses a write of `size` bytes to `key` that would take the scope past its quota. An
 * overwrite counts as replacing the old size, plus a copy of it when the storage keeps backups.
 */
export async function checkQuota(scope: Storage, key: string, size: number, quota: ResolvedQuota, backsUp: boolean): Promise<void> {
  const usage = await usageOf(scope, key, quota);
  let files = usage.files;
  let bytes = usage.bytes + size;
  if (usage.existing === undefined) {
    files++;
  } else if (backsUp) {
    // The old version moves to .backups instead of disappearing (retention may prune an older one later).
    files++;
  } else {
    bytes -= usage.existing;
  }
  if (files > quota.maxFiles) throw exceeded(key, `${files} files`, `${quota.maxFiles} files`, 'maxFiles');
  if (bytes > quota.maxBytes) throw exceeded(key, formatBytes(bytes), formatBytes(quota.maxBytes), 'maxBytes');
}

/** The tail of each scope's queue, keyed by resource name and scope folder. */
const queues = new Map<string, Promise<void>>();

/**
 * Runs writes to one scope of one storage resource one at a time, so two parallel writes cannot
 * both pass the quota check. The key is the resource's name and the scope's folder, not the
 * storage object: an agent hands each tool call its own wrapper around the resource, so the
 * object differs between two parallel calls on the same storage. Two agents in one process with
 * storages of the same name share a queue per folder, which only orders their writes. Exact
 * within a process; several processes sharing a bucket can each admit one write past it.
 */
export function oneAtATime<T>(resourceName: string, folder: string, work: () => Promise<T>): Promise<T> {
  const key = `${resourceName}\u0000${folder}`;
  const previous = queues.get(key) ?? Promise.resolve();
  const result = previous.then(work);
  const settled = result.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return result;
}
