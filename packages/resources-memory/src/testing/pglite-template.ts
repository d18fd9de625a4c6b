import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

// A fresh PGlite folder costs an initdb in WebAssembly (3-9 s on a loaded 2-core machine); opening a
// copy of an initialised one takes under a second. Tests that do not test the first start itself
// get such a copy. The template is made once per machine and PGlite install: built in a private
// folder and renamed into place, so parallel test workers never see half of one.

// Keyed on where PGlite is installed (the path holds its version): another version gets its own.
// Resolved on first use: PGlite is an optional peer, and this module must import without it.
let templateFolder: string | undefined;
function template(): string {
  templateFolder ??= join(
    tmpdir(),
    `entity-test-pglite-template-${createHash('sha256').update(import.meta.resolve('@electric-sql/pglite')).digest('hex').slice(0, 12)}-${userInfo().uid}`,
  );
  return templateFolder;
}

let ready: Promise<void> | undefined;

/** Makes the template once (per machine and PGlite install); later calls return at once. */
export function ensurePgliteTemplate(): Promise<void> {
  ready ??= buildTemplate();
  return ready;
}

async function buildTemplate(): Promise<void> {
  const templatePath = template();
  if (existsSync(join(templatePath, 'PG_VERSION'))) return;
  const building = `${templatePath}.building-${process.pid}-${Date.now()}`;
  const { PGlite } = await import('@electric-sql/pglite');
  const database = await PGlite.create(building);
  await database.close();
  try {
    renameSync(building, templatePath);
  } catch {
    // Another worker renamed its template into place first: use that one.
    rmSync(building, { recursive: true, force: true });
  }
}

/**
 * Fills `path` with an initialised, empty PGlite database when nothing is there yet. Call
 * `ensurePgliteTemplate()` once before (it is async; this is not, so it fits a sync location()).
 */
export function seedPgliteFolder(path: string): string {
  const templatePath = template();
  if (!existsSync(join(templatePath, 'PG_VERSION'))) throw new Error('seedPgliteFolder: await ensurePgliteTemplate() first');
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  cpSync(templatePath, path, { recursive: true });
  return path;
}
