import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A loopback npm registry that knows only the packages this workspace already installed: their
 * metadata comes from the workspace's pnpm-lock.yaml (versions, integrity, dependencies, platform
 * fields) and the installed manifests (bins). It serves no tarballs: the integrity it announces
 * is the one already in the pnpm store, so an install resolves against it without any network
 * and takes every file from the store. A package the workspace does not have is a 404, and the
 * install fails naming it instead of reaching the internet.
 */
export interface RegistryMirror {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /** Every path asked for, in order (for the failure message). */
  requests: string[];
  close(): Promise<void>;
}

interface LockPackage {
  resolution?: { integrity?: string; tarball?: string; type?: string };
  engines?: Record<string, string>;
  cpu?: string[];
  os?: string[];
  libc?: string[];
  hasBin?: boolean;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

interface LockSnapshot {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

interface Lockfile {
  packages?: Record<string, LockPackage>;
  snapshots?: Record<string, LockSnapshot>;
}

type Manifest = Record<string, unknown> & { name: string; version: string };

/** `@scope/name@1.2.3(peer@4)` → [`@scope/name`, `1.2.3`] */
function splitKey(key: string): [string, string] {
  const base = key.includes('(') ? key.slice(0, key.indexOf('(')) : key;
  const at = base.lastIndexOf('@');
  return [base.slice(0, at), base.slice(at + 1)];
}

/** The lockfile's YAML, parsed with the `yaml` package that @entity/core already depends on. */
function readLockfile(workspaceRoot: string): Lockfile {
  const fromCore = createRequire(fileURLToPath(import.meta.resolve('@entity/core')));
  const yaml = fromCore('yaml') as { parse(text: string): unknown };
  return yaml.parse(readFileSync(join(workspaceRoot, 'pnpm-lock.yaml'), 'utf8')) as Lockfile;
}

/** The `bin` of an installed package, read from the workspace's virtual store. */
function installedBin(workspaceRoot: string, name: string, version: string): unknown {
  const store = join(workspaceRoot, 'node_modules', '.pnpm');
  const folder = `${name.replace('/', '+')}@${version}`;
  for (const entry of readdirSync(store)) {
    if (entry !== folder && !entry.startsWith(`${folder}_`)) continue;
    const manifest = join(store, entry, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { bin?: unknown }).bin;
  }
  return undefined;
}

function withoutPeers(dependencies: Record<string, string> | undefined, peers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (dependencies === undefined) return undefined;
  const entries = Object.entries(dependencies)
    .filter(([name, version]) => peers?.[name] === undefined && !/^(link|file|workspace):/.test(version))
    .map(([name, version]) => [name, splitKey(`x@${version}`)[1]]);
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}

function compareVersions(left: string, right: string): number {
  const parts = (version: string) => version.split(/[.+-]/).map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const [a, b] = [parts(left), parts(right)];
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const [x, y] = [a[index], b[index]];
    if (x === y) continue;
    if (x === undefined) return 1; // 1.0.0 > 1.0.0-rc
    if (y === undefined) return -1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/** Registry documents (packuments) for every registry package in the workspace lockfile. */
export function workspacePackuments(workspaceRoot: string, origin: string): Map<string, Record<string, unknown>> {
  const lockfile = readLockfile(workspaceRoot);
  const versions = new Map<string, Map<string, Manifest>>();
  for (const [key, info] of Object.entries(lockfile.packages ?? {})) {
    const integrity = info.resolution?.integrity;
    // Only registry packages: tarball, directory and git resolutions are not the mirror's business.
    if (integrity === undefined || info.resolution?.tarball !== undefined || info.resolution?.type !== undefined) continue;
    const [name, version] = splitKey(key);
    const snapshot: LockSnapshot = {};
    for (const [snapshotKey, entry] of Object.entries(lockfile.snapshots ?? {})) {
      const [snapshotName, snapshotVersion] = splitKey(snapshotKey);
      if (snapshotName !== name || snapshotVersion !== version) continue;
      snapshot.dependencies = { ...snapshot.dependencies, ...entry.dependencies };
      snapshot.optionalDependencies = { ...snapshot.optionalDependencies, ...entry.optionalDependencies };
    }
    const basename = name.slice(name.lastIndexOf('/') + 1);
    const manifest: Manifest = {
      name,
      version,
      dist: { integrity, tarball: `${origin}${name}/-/${basename}-${version}.tgz` },
    };
    const fields: Record<string, unknown> = {
      dependencies: withoutPeers(snapshot.dependencies, info.peerDependencies),
      optionalDependencies: withoutPeers(snapshot.optionalDependencies, info.peerDependencies),
      peerDependencies: info.peerDependencies,
      peerDependenciesMeta: info.peerDependenciesMeta,
      engines: info.engines,
      os: info.os,
      cpu: info.cpu,
      libc: info.libc,
      bin: info.hasBin ? installedBin(workspaceRoot, name, version) : undefined,
    };
    for (const [field, value] of Object.entries(fields)) if (value !== undefined) manifest[field] = value;
    if (!versions.has(name)) versions.set(name, new Map());
    versions.get(name)!.set(version, manifest);
  }
  const packuments = new Map<string, Record<string, unknown>>();
  // Old enough for any minimum-release-age policy.
  const published = '2020-01-01T00:00:00.000Z';
  for (const [name, byVersion] of versions) {
    const sorted = [...byVersion.keys()].sort(compareVersions);
    const stable = sorted.filter((version) => !version.includes('-'));
    packuments.set(name, {
      name,
      'dist-tags': { latest: stable.at(-1) ?? sorted.at(-1)! },
      versions: Object.fromEntries(byVersion),
      time: { created: published, modified: published, ...Object.fromEntries(sorted.map((version) => [version, published])) },
    });
  }
  return packuments;
}

/** Starts the mirror on a free loopback port. */
export async function startRegistryMirror(workspaceRoot: string): Promise<RegistryMirror> {
  const requests: string[] = [];
  let packuments = new Map<string, Record<string, unknown>>();
  const server: Server = createServer((request, response) => {
    const path = decodeURIComponent((request.url ?? '/').split('?')[0]!).slice(1);
    requests.push(`${request.method} /${path}`);
    const packument = packuments.get(path);
    if (request.method === 'GET' && packument !== undefined) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(packument));
      return;
    }
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ error: `not found: the workspace lockfile has no "${path}" (the mirror serves no tarballs: the pnpm store should have them)` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  packuments = workspacePackuments(workspaceRoot, url);
  return {
    url,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
