import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The package.json of `name` as the project (or else this CLI) would find it; undefined when not installed. */
export function findPackageManifest(name: string, fromDirectory: string): string | undefined {
  for (let directory = fromDirectory; ; directory = dirname(directory)) {
    const manifest = join(directory, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return manifest;
    if (dirname(directory) === directory) break;
  }
  try {
    // The CLI's own dependencies (its workspace or global install).
    return createRequire(import.meta.url).resolve(`${name}/package.json`);
  } catch {
    const here = fileURLToPath(import.meta.url);
    return findPackageManifestUpward(name, dirname(here));
  }
}

function findPackageManifestUpward(name: string, fromDirectory: string): string | undefined {
  for (let directory = fromDirectory; ; directory = dirname(directory)) {
    const manifest = join(directory, 'node_modules', name, 'package.json');
    if (existsSync(manifest)) return manifest;
    if (dirname(directory) === directory) return undefined;
  }
}

/** Imports `dependency` as `owner` resolves it (e.g. `pg` through @entity/resources-memory); undefined when unavailable. */
export async function importThrough<T>(owner: string, dependency: string, fromDirectory: string): Promise<T | undefined> {
  const manifest = findPackageManifest(owner, fromDirectory);
  if (!manifest) return undefined;
  try {
    const resolved = createRequire(manifest).resolve(dependency);
    return (await import(pathToFileURL(resolved).href)) as T;
  } catch {
    return undefined;
  }
}
