import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_SEGMENT, compareKeys } from './storage-key.js';
import { isInside } from './local-paths.js';

/** A file found while listing: its key and where it is. */
export interface ListedFile {
  key: string;
  path: string;
}

function isListed(entry: Dirent): boolean {
  // Hidden entries are the driver's own temp files and metadata; user keys can never be hidden.
  return !entry.name.startsWith('.') || entry.name === BACKUP_SEGMENT;
}

async function readFolder(path: string): Promise<Dirent[]> {
  try {
    return await readdir(path, { withFileTypes: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

/** Follows a listed link only when it leads to a regular file inside the root. */
async function linkedFile(root: string, path: string): Promise<boolean> {
  try {
    const target = await realpath(path);
    return isInside(root, target) && (await stat(target)).isFile();
  } catch {
    return false;
  }
}

/**
 * Yields files under `folderPath` (whose key prefix is `folderKey`, `''` or ending in `/`) whose
 * keys start with `prefix` and sort after `cursor`, in code-point order, without reading folders
 * that cannot hold such keys. Sorting a folder's entries by `name` for files and `name/` for
 * folders makes a depth-first walk come out in exactly the order of the full keys.
 */
export async function* walkSorted(
  root: string,
  folderPath: string,
  folderKey: string,
  prefix: string,
  cursor: string | undefined,
): AsyncGenerator<ListedFile> {
  const entries = (await readFolder(folderPath))
    .filter(isListed)
    .map((entry) => ({ entry, sortKey: entry.isDirectory() ? `${entry.name}/` : entry.name }))
    .sort((left, right) => compareKeys(left.sortKey, right.sortKey));
  for (const { entry } of entries) {
    const key = folderKey + entry.name;
    const path = join(folderPath, entry.name);
    if (entry.isDirectory()) {
      const subtree = `${key}/`;
      if (!subtree.startsWith(prefix) && !prefix.startsWith(subtree)) continue;
      if (cursor !== undefined && compareKeys(subtree, cursor) < 0 && !cursor.startsWith(subtree)) continue;
      yield* walkSorted(root, path, subtree, prefix, cursor);
      continue;
    }
    if (!key.startsWith(prefix) || (cursor !== undefined && compareKeys(key, cursor) <= 0)) continue;
    if (entry.isFile() || (entry.isSymbolicLink() && (await linkedFile(root, path)))) yield { key, path };
  }
}
