import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** Temp files the local driver writes: `.tmp-<pid>-<hex>` beside files (a hidden name no key can have)... */
const TEMP_FILE = /^\.tmp-\d+-[0-9a-f]{16}$/;
/** ...and `<name>.<hex>.tmp` inside the hidden `.meta/` folders. */
const SIDECAR_TEMP_FILE = /\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes temp files left by writers that crashed (a killed process cannot clean up) once they are
 * older than `olderThanMs`. A write in progress keeps touching its temp file, so it is never this old.
 * Returns how many were removed.
 */
export async function sweepStaleTempFiles(folder: string, olderThanMs: number, now = Date.now(), inMetadataFolder = false): Promise<number> {
  let removed = 0;
  let entries: import('node:fs').Dirent[];
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      removed += await sweepStaleTempFiles(path, olderThanMs, now, entry.name === '.meta');
    } else if (entry.isFile() && (TEMP_FILE.test(entry.name) || (inMetadataFolder && SIDECAR_TEMP_FILE.test(entry.name)))) {
      const stats = await lstat(path).catch(() => undefined);
      if (stats && now - stats.mtimeMs > olderThanMs && (await unlink(path).then(() => true).catch(() => false))) removed++;
    }
  }
  return removed;
}
