import { lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { ValidationError } from '@entity/core';

/** Where a key lives on disk, after every symbolic link on the way was checked to stay inside the root. */
export interface ResolvedEntry {
  /** Real path of the folder holding the entry. */
  folder: string;
  /** Last key segment. */
  name: string;
  /** `folder/name`, the directory entry itself (may be a link). */
  entry: string;
}

export function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(sep) ? root : root + sep);
}

export function escapeError(operation: string, key: string): ValidationError {
  return new ValidationError(`Storage ${operation} refused for key "${key}": it resolves outside the storage root through a symbolic link`, {
    code: 'STORAGE_PATH_ESCAPE',
    safeMessage: 'That file path is not allowed: it points outside the storage folder.',
    details: { key, operation },
  });
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** Real path of `path` when it exists, undefined when it does not. */
async function realpathOrMissing(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Resolves the folder of `key` under `root` (a real path), refusing any link that leads out.
 * With `create`, missing folders are made (only below an ancestor already proven inside the root);
 * without it, a missing folder gives undefined.
 */
export async function resolveEntry(
  root: string,
  key: string,
  operation: string,
  options: { create?: boolean } = {},
): Promise<ResolvedEntry | undefined> {
  const segments = key.split('/');
  const name = segments.pop()!;
  const wanted = join(root, ...segments);
  let folder = await realpathOrMissing(wanted);
  if (folder === undefined) {
    if (!options.create) return undefined;
    let ancestor = dirname(wanted);
    let existing = await realpathOrMissing(ancestor);
    while (existing === undefined && isInside(root, ancestor) && ancestor !== root) {
      ancestor = dirname(ancestor);
      existing = await realpathOrMissing(ancestor);
    }
    if (existing === undefined || !isInside(root, existing)) throw escapeError(operation, key);
    await mkdir(wanted, { recursive: true });
    folder = await realpath(wanted);
  }
  if (!isInside(root, folder)) throw escapeError(operation, key);
  return { folder, name, entry: join(folder, name) };
}

/**
 * The real path of the file a key names, or undefined when it is missing. A final link is
 * followed only when its target stays inside the root.
 */
export async function resolveExistingFile(root: string, key: string, operation: string): Promise<string | undefined> {
  const resolved = await resolveEntry(root, key, operation);
  if (resolved === undefined) return undefined;
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(resolved.entry);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
  if (!info.isSymbolicLink()) return resolved.entry;
  const target = await realpathOrMissing(resolved.entry);
  if (target === undefined) return undefined;
  if (!isInside(root, target)) throw escapeError(operation, key);
  return target;
}
