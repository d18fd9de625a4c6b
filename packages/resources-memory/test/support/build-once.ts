import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const PACKAGE = resolve(import.meta.dirname, '../..');

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Vitest global setup: child-process tests run the built package, so rebuild it when any
 * source file is newer than dist (a stale dist would test old code).
 */
export default function buildOnce(): void {
  const built = join(PACKAGE, 'dist/index.js');
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource(join(PACKAGE, 'src'))) return;
  execFileSync(process.execPath, [join(PACKAGE, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: PACKAGE, stdio: 'inherit' });
}

