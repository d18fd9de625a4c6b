// The workspace's public packages (every package.json without `"private": true`), which is what
// `pnpm release:pack` packs and `pnpm check:packages` checks.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** @returns {{ name: string, path: string }[]} */
export function publicPackages(root) {
  const listed = JSON.parse(execFileSync('pnpm', ['ls', '-r', '--json', '--depth', '-1'], { cwd: root, encoding: 'utf8' }));
  return listed.filter((entry) => entry.private !== true && entry.path !== root).map((entry) => ({ name: entry.name, path: entry.path }));
}

/**
 * Packs every public package into `destination` (emptied first) with `pnpm pack`, which is what
 * `pnpm publish` uploads: `workspace:` ranges become versions and only the `files` ship.
 * @returns {{ name: string, path: string, tarball: string }[]}
 */
export function packPublicPackages(root, destination) {
  rmSync(destination, { recursive: true, force: true });
  mkdirSync(destination, { recursive: true });
  return publicPackages(root).map((entry) => {
    const output = execFileSync('pnpm', ['pack', '--pack-destination', destination, '--json'], { cwd: entry.path, encoding: 'utf8' });
    const { filename } = JSON.parse(output);
    return { ...entry, tarball: filename.startsWith('/') ? filename : join(destination, filename) };
  });
}

export function tarballsIn(folder) {
  return readdirSync(folder).filter((file) => file.endsWith('.tgz'));
}
