import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EntityError, MissingPackageError } from '../errors/index.js';

/** Splits `@scope/name/sub/path` into the package name and the subpath inside it. */
function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const segments = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  return { name: segments.slice(0, nameLength).join('/'), subpath: segments.slice(nameLength).join('/') };
}

function entryOf(manifest: { name?: string; exports?: unknown; module?: string; main?: string }, subpath = ''): string {
  const exportsMap = typeof manifest.exports === 'object' && manifest.exports !== null ? (manifest.exports as Record<string, unknown>) : undefined;
  if (subpath !== '') {
    if (manifest.exports === undefined) return subpath;
    const target = exportsMap?.[`./${subpath}`];
    if (target === undefined) {
      throw new EntityError(`package "${manifest.name}" does not export "./${subpath}"; use a subpath listed in its package.json "exports"`, { code: 'SUBPATH_NOT_EXPORTED' });
    }
    return entryOf({ exports: { '.': target } });
  }
  const root = exportsMap ? exportsMap['.'] ?? manifest.exports : manifest.exports;
  if (typeof root === 'string') return root;
  if (typeof root === 'object' && root !== null) {
    const conditions = root as Record<string, unknown>;
    for (const condition of ['import', 'node', 'default']) {
      const target = conditions[condition];
      if (typeof target === 'string') return target;
      if (typeof target === 'object' && target !== null && typeof (target as Record<string, unknown>).default === 'string') {
        return (target as Record<string, string>).default!;
      }
    }
  }
  return manifest.module ?? manifest.main ?? 'index.js';
}

/** Finds `packageName` in the node_modules folders above `fromDir` (how Node resolves, without needing `exports` to allow it). */
function findInstalled(packageName: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const manifestPath = join(dir, 'node_modules', packageName, 'package.json');
    if (existsSync(manifestPath)) return manifestPath;
    if (dirname(dir) === dir) return undefined;
  }
}

/** Where a user's packages live: the working directory, then the folder of the program being run. */
function projectDirectories(projectDir: string | undefined): string[] {
  const directories = [projectDir ?? process.cwd()];
  const entry = process.argv[1];
  if (projectDir === undefined && entry && existsSync(entry)) directories.push(dirname(realpathSync(entry)));
  return directories;
}

/**
 * Loads an optional package the user installed (an adapter, a provider package) only when a
 * feature needs it. Looks from core's own location first, then from the project directory (the working directory, then the running program's folder) —
 * with pnpm's strict layout, core cannot see packages it does not depend on, but the project can.
 */
export async function importFromProject<T>(packageName: string, feature: string, projectDir?: string): Promise<T> {
  const { name, subpath } = splitSpecifier(packageName);
  try {
    return (await import(packageName)) as T;
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : '';
    // Node names either the package or the whole specifier, depending on the version.
    if (code !== 'ERR_MODULE_NOT_FOUND' || !(message.includes(`'${name}'`) || message.includes(`'${packageName}'`))) throw error;
  }
  const manifestPath = projectDirectories(projectDir)
    .map((directory) => findInstalled(name, directory))
    .find((found) => found !== undefined);
  if (!manifestPath) throw new MissingPackageError(name, feature);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Parameters<typeof entryOf>[0];
  return (await import(pathToFileURL(join(dirname(manifestPath), entryOf(manifest, subpath))).href)) as T;
}

/** Like importFromProject, but undefined when the package is not installed. */
export async function importIfInstalled<T>(packageName: string, projectDir?: string): Promise<T | undefined> {
  try {
    return await importFromProject<T>(packageName, packageName, projectDir);
  } catch (error) {
    if (MissingPackageError.isInstance(error)) return undefined;
    throw error;
  }
}
