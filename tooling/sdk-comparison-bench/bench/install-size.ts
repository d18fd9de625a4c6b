// What each contender makes a user install, measured offline from this workspace's own install:
// the packages a contender imports, plus every package they depend on (dependencies, optional
// dependencies and required peers that are installed), each counted once. A registry package
// counts with all its files, as npm would unpack it; a workspace package with what it would
// publish (its `files`, package.json, README, LICENSE). `pnpm measure:install` checks the same
// figure with a real `npm install` from the packed tarballs (it needs the registry).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface InstallSize {
  /** Sum of the files' sizes: what the packages weigh, whatever the file system. */
  bytes: number;
  /** The same files rounded up to 4 KiB blocks, roughly what `du` reports on ext4. */
  diskBytes: number;
  /** Package name → its own bytes, largest first. */
  packages: [name: string, bytes: number][];
}

interface Manifest {
  name: string;
  files?: string[];
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const BLOCK = 4096;

/** Node's lookup: `<dir>/node_modules/<name>`, then the same in every parent folder. */
function locate(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    try {
      return realpathSync(candidate);
    } catch {}
    if (dirname(dir) === dir) return undefined;
  }
}

function sizeOf(path: string, total: { bytes: number; diskBytes: number }): void {
  const stats = statSync(path);
  if (stats.isDirectory()) {
    for (const entry of readdirSync(path)) {
      // A workspace package's own node_modules holds its links to dependencies, not its files.
      if (entry !== 'node_modules') sizeOf(join(path, entry), total);
    }
    return;
  }
  total.bytes += stats.size;
  total.diskBytes += Math.ceil(stats.size / BLOCK) * BLOCK;
}

/** The files npm would install for one package. */
function packageFiles(dir: string, manifest: Manifest): string[] {
  // Registry packages live under node_modules/.pnpm: they are already exactly what npm unpacks.
  if (dir.includes(`${join('node_modules', '.pnpm')}`) || !manifest.files) return [dir];
  const extras = readdirSync(dir).filter((entry) => /^(package\.json|readme|license)/i.test(entry));
  return [...manifest.files.map((entry) => join(dir, entry)), ...extras.map((entry) => join(dir, entry))];
}

/** The install size of `roots` (package names) resolved from `from` and their dependencies. */
export function installSize(roots: readonly string[], from: string): InstallSize {
  const seen = new Map<string, number>();
  const total = { bytes: 0, diskBytes: 0 };
  const visit = (name: string, parent: string, required: boolean) => {
    const dir = locate(name, parent);
    if (!dir) {
      if (required) throw new Error(`install size: ${name} is not installed (from ${parent}); run pnpm install`);
      return;
    }
    if (seen.has(dir)) return;
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    const own = { bytes: 0, diskBytes: 0 };
    for (const file of packageFiles(dir, manifest)) sizeOf(file, own);
    seen.set(dir, own.bytes);
    total.bytes += own.bytes;
    total.diskBytes += own.diskBytes;
    for (const dependency of Object.keys(manifest.dependencies ?? {})) visit(dependency, dir, true);
    for (const dependency of Object.keys(manifest.optionalDependencies ?? {})) visit(dependency, dir, false);
    for (const [peer] of Object.entries(manifest.peerDependencies ?? {})) {
      // npm installs required peers; optional ones only when the user asks (the roots list them).
      if (!manifest.peerDependenciesMeta?.[peer]?.optional) visit(peer, dir, true);
    }
  };
  for (const root of roots) visit(root, from, true);
  const packages = [...seen.entries()].map(([dir, bytes]) => {
    const { name } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
    return [name, bytes] as [string, number];
  });
  return { ...total, packages: packages.sort((a, b) => b[1] - a[1]) };
}

export const megabytes = (bytes: number) => bytes / 1024 / 1024;
