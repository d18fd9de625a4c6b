import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../exit-codes.js';

/** A package tarball found in a `--packages` folder. */
export interface LocalPackage {
  name: string;
  version: string;
  /** Absolute path of the .tgz file. */
  tarball: string;
}

const BLOCK = 512;

/** Reads one text field of a tar header (NUL-terminated). */
function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

/**
 * The name and version in a package tarball's `package/package.json`, read from the tar stream
 * itself (npm and pnpm pack the manifest as `package/package.json`), so the folder may hold
 * tarballs under any file name.
 */
export function readTarballManifest(tarball: string): { name: string; version: string } | undefined {
  const archive = gunzipSync(readFileSync(tarball));
  for (let offset = 0; offset + BLOCK <= archive.length; ) {
    const header = archive.subarray(offset, offset + BLOCK);
    const name = field(header, 0, 100);
    if (name === '') return undefined; // the two zero blocks that end the archive
    const prefix = field(header, 345, 155);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    const start = offset + BLOCK;
    if (/^[^/]+\/package\.json$/.test(path)) {
      const manifest = JSON.parse(archive.subarray(start, start + size).toString('utf8')) as { name?: unknown; version?: unknown };
      return typeof manifest.name === 'string' && typeof manifest.version === 'string' ? { name: manifest.name, version: manifest.version } : undefined;
    }
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  return undefined;
}

/** Every package tarball in `folder` by package name (the newest file wins when a name repeats). */
export function readLocalPackages(folder: string): Map<string, LocalPackage> {
  let files: string[];
  try {
    files = readdirSync(folder).filter((file) => file.endsWith('.tgz'));
  } catch {
    throw new UsageError(`--packages: cannot read the folder ${folder}`, 'run `pnpm release:pack` in a clone of Entity and pass its dist-packages folder');
  }
  const found = new Map<string, LocalPackage & { modified: number }>();
  for (const file of files) {
    const tarball = join(folder, file);
    let manifest: { name: string; version: string } | undefined;
    try {
      manifest = readTarballManifest(tarball);
    } catch {
      manifest = undefined;
    }
    if (!manifest) continue;
    const modified = statSync(tarball).mtimeMs;
    const known = found.get(manifest.name);
    if (!known || known.modified < modified) found.set(manifest.name, { ...manifest, tarball, modified });
  }
  if (found.size === 0) {
    throw new UsageError(`--packages: ${folder} holds no package tarballs (.tgz)`, 'run `pnpm release:pack` in a clone of Entity; it writes them to dist-packages/');
  }
  return new Map([...found].map(([name, { modified: _modified, ...entry }]) => [name, entry]));
}

/**
 * The `file:` specifier of a tarball as the project at `projectDirectory` sees it: relative, so the
 * project and the folder can move together (npm and pnpm both install `file:` tarballs, and peer
 * ranges such as `^0.1.0` accept the tarball's version).
 */
export function fileSpecifier(projectDirectory: string, tarball: string): string {
  const path = relative(resolve(projectDirectory), tarball).split(sep).join('/');
  return `file:${path.startsWith('.') ? path : `./${path}`}`;
}
