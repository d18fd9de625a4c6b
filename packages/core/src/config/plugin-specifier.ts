import { existsSync, realpathSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { isAbsolute, relative, resolve, win32 } from 'node:path';
import type { ConfigIssue } from '../errors/index.js';

/** Where a config's plugin entry may load code from, once checked. */
export type PluginModuleTarget =
  | { kind: 'file'; /** Real path (symlinks resolved) inside the config's folder. */ file: string }
  | { kind: 'package'; /** The package name without the subpath, e.g. `@acme/tools`. */ packageName: string; /** `''` or e.g. `tools/search`. */ subpath: string };

// npm's rules for new package names: lower case, URL-safe, not starting with `.` or `_`, at most 214 characters.
const NAME = '[a-z0-9-~][a-z0-9-._~]*';
const PACKAGE_NAME = new RegExp(`^(?:@(${NAME})/)?(${NAME})$`);
const SUBPATH_SEGMENT = /^[\w.~@+-]+$/;
const URL_SCHEME = /^([a-z][a-z0-9+.-]*):/i;

const PATH_FIX = 'use a package name (my-plugin, @scope/plugin, @scope/plugin/tools) or a path relative to the config file that stays in its folder (./plugins/x.js)';

function describe(specifier: string): string {
  return `plugin module "${specifier.length > 80 ? `${specifier.slice(0, 77)}...` : specifier}"`;
}

function checkPackageName(specifier: string): PluginModuleTarget | Omit<ConfigIssue, 'path'> {
  const segments = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const packageName = segments.slice(0, nameLength).join('/');
  const subpath = segments.slice(nameLength);
  if (isBuiltin(packageName)) {
    return { message: `${describe(specifier)} is a Node built-in module`, fix: `Node built-ins are not plugins: ${PATH_FIX}` };
  }
  const validName = packageName.length <= 214 && PACKAGE_NAME.test(packageName);
  const validSubpath = subpath.every((segment) => SUBPATH_SEGMENT.test(segment) && segment !== '.' && segment !== '..');
  if (!validName || !validSubpath) {
    return {
      message: validName
        ? `${describe(specifier)} is not a valid npm package name with a subpath: "." and ".." segments and unusual characters are not allowed in the subpath`
        : `${describe(specifier)} is not a relative path (./...) and not a valid npm package name`,
      fix: PATH_FIX,
    };
  }
  return { kind: 'package', packageName, subpath: subpath.join('/') };
}

/**
 * A `./`/`../` path of a config, resolved in its folder: refused when it leaves the folder, also
 * through a symbolic link. `what` names the file in messages; `noun` what it is (`plugin`, `agent config`).
 */
export function checkRelativePath(
  specifier: string,
  baseDir: string,
  what = describe(specifier),
  noun = 'plugin',
): { kind: 'file'; file: string } | Omit<ConfigIssue, 'path'> {
  if (!existsSync(baseDir)) {
    return { message: `${what} is relative to ${baseDir}, which does not exist`, fix: 'pass an existing baseDir (object configs) or keep the config file in the project folder' };
  }
  const folder = realpathSync(baseDir);
  const inside = (file: string) => {
    const fromFolder = relative(folder, file);
    return fromFolder !== '' && !fromFolder.startsWith('..') && !isAbsolute(fromFolder);
  };
  const written = resolve(folder, specifier);
  if (!inside(written)) {
    return {
      message: `${what} resolves outside the config's folder ${folder} (to ${written})`,
      fix: noun === 'plugin' ? 'move the plugin into the config\'s folder, or install it as a package and use its name' : `move the ${noun} into the config's folder`,
    };
  }
  // A missing file cannot run; the import reports it with the other graph problems.
  if (!existsSync(written)) return { kind: 'file', file: written };
  // Checked on the real path, so a link inside the folder cannot lead the import outside it.
  const file = realpathSync(written);
  if (!inside(file)) {
    return {
      message: `${what} resolves outside the config's folder ${folder} through a symbolic link (to ${file})`,
      fix: noun === 'plugin' ? 'copy the plugin into the config\'s folder instead of linking to it, or install it as a package and use its name' : `copy the ${noun} into the config's folder instead of linking to it`,
    };
  }
  return { kind: 'file', file };
}

/**
 * Decides whether a config's `use:` entry may be imported, before anything is imported. Allowed:
 * bare npm package names (optionally scoped, with an optional subpath) and `./`/`../` paths whose
 * real path (after symlinks) stays inside the config's folder. Refused: URLs of any scheme
 * (`data:`, `file:`, `http:`, `node:`), absolute paths, paths leaving the folder and Node
 * built-ins, so a config file alone cannot make the process run code from anywhere else.
 */
export function checkPluginSpecifier(specifier: string, baseDir: string): PluginModuleTarget | Omit<ConfigIssue, 'path'> {
  if (isAbsolute(specifier) || win32.isAbsolute(specifier)) {
    return { message: `${describe(specifier)} is an absolute path`, fix: `use a path relative to the config file that stays in its folder (./plugins/x.js), or a package name` };
  }
  const scheme = URL_SCHEME.exec(specifier)?.[1]?.toLowerCase();
  if (scheme === 'node') {
    return { message: `${describe(specifier)} is a Node built-in module`, fix: `Node built-ins are not plugins: ${PATH_FIX}` };
  }
  if (scheme !== undefined) {
    return { message: `${describe(specifier)} is a URL (${scheme}:); URLs are never loaded as plugins`, fix: PATH_FIX };
  }
  if (specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../')) return checkRelativePath(specifier, baseDir);
  const asPackage = checkPackageName(specifier);
  // `plugins/x.js` reads as package "plugins"; say so when the user plainly meant the file next to the config.
  if (isPluginModuleTarget(asPackage) && asPackage.kind === 'package' && asPackage.subpath !== '' && existsSync(resolve(baseDir, specifier))) {
    return { message: `${describe(specifier)} is read as a package name, but it names a file in the config's folder`, fix: `write "./${specifier}"` };
  }
  return asPackage;
}

/** Narrows the result of {@link checkPluginSpecifier}. */
export const isPluginModuleTarget = (value: PluginModuleTarget | Omit<ConfigIssue, 'path'>): value is PluginModuleTarget => 'kind' in value;
