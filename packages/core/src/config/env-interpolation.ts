import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { type Document, isMap, isPair, isScalar, isSeq, parse as parseYaml, Scalar, visit } from 'yaml';
import type { ConfigIssue } from '../errors/index.js';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}/g;

/** Variables from `.env` in `directory` under the process environment (the real environment wins). */
export function loadEnvironment(directory: string, environment: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = join(directory, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  // No prototype: `${toString}` or `${constructor}` must read as unset variables, not as Object's methods.
  return Object.assign(Object.create(null) as Record<string, string | undefined>, fromFile, environment);
}

/** The value of variable `name`, own properties only (an environment passed in may be a plain object). */
function variable(environment: Record<string, string | undefined>, name: string): string | undefined {
  if (!Object.hasOwn(environment, name)) return undefined;
  const value = environment[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Replaces the placeholders of one string with shell semantics: `${VAR}` is the value (an empty
 * variable gives an empty string), `${VAR:-default}` uses the default when VAR is unset or empty,
 * `${VAR-default}` only when it is unset. An unset variable without a default is reported.
 */
function replacePlaceholders(text: string, environment: Record<string, string | undefined>, issues: ConfigIssue[], path: string): string {
  return text.replace(PLACEHOLDER, (match, name: string, operator: string | undefined, fallback: string | undefined) => {
    if (fallback?.includes('${')) {
      // `${A:-${B}}` would otherwise end at the first `}` and leave a literal `${B}` in the config.
      issues.push({
        path,
        message: `the default of \${${name}} contains another placeholder (${match}…); defaults cannot be nested`,
        fix: `use a literal default (\${${name}:-text}), or set ${name} from the other variable in .env or the shell`,
      });
      return match;
    }
    const found = variable(environment, name);
    if (operator === ':-' && (found === undefined || found === '')) return fallback ?? '';
    if (operator === '-' && found === undefined) return fallback ?? '';
    if (found !== undefined) return found;
    issues.push({
      path,
      message: `environment variable ${name} is not set`,
      fix: `set ${name} in the environment or in .env, or write \${${name}:-default}`,
    });
    return match;
  });
}

/**
 * Replaces `${VAR}`, `${VAR:-default}` and `${VAR-default}` in every string of a config given as
 * an object. Strings stay strings: an object (or JSON) config says its types itself.
 */
export function interpolateEnvironment(
  value: unknown,
  environment: Record<string, string | undefined>,
  issues: ConfigIssue[],
  path: string[] = [],
): unknown {
  if (typeof value === 'string') return replacePlaceholders(value, environment, issues, path.join('.'));
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnvironment(item, environment, issues, [...path, String(index)]));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnvironment(item, environment, issues, [...path, key])]),
    );
  }
  return value;
}

/** The dotted config path of a node, from the ancestors `visit` passes. */
function pathOf(ancestors: readonly unknown[], node: unknown): string {
  const chain = [...ancestors, node];
  const keys: string[] = [];
  for (const [index, ancestor] of chain.entries()) {
    const child = chain[index + 1];
    if (isMap(ancestor) && isPair(child)) keys.push(String(isScalar(child.key) ? child.key.value : child.key));
    else if (isSeq(ancestor) && child !== undefined) keys.push(String(ancestor.items.indexOf(child as never)));
  }
  return keys.join('.');
}

/** How YAML itself reads an unquoted value: only numbers and booleans are taken, anything else stays text. */
function readPlain(text: string): string | number | boolean {
  try {
    const value: unknown = parseYaml(text, { logLevel: 'silent' });
    return typeof value === 'number' || typeof value === 'boolean' ? value : text;
  } catch {
    return text;
  }
}

/**
 * Interpolates the string scalars of a parsed YAML (or JSON) document in place. A quoted or block
 * scalar stays a string (`"${PIN}"` with `0123` is `"0123"`); an unquoted one is read as YAML reads
 * the resulting text (`maxIterations: ${MAX:-5}` is a number). Keys are never interpolated.
 */
export function interpolateDocument(document: Document, environment: Record<string, string | undefined>, issues: ConfigIssue[]): void {
  visit(document, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('${')) return;
      const replaced = replacePlaceholders(node.value, environment, issues, pathOf(ancestors, node));
      if (replaced === node.value) return;
      node.value = node.type === Scalar.PLAIN ? readPlain(replaced) : replaced;
    },
  });
}
