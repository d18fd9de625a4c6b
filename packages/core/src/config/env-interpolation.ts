import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYamlScalar } from 'yaml';
import type { ConfigIssue } from '../errors/index.js';

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Variables from `.env` in `directory` under the process environment (the real environment wins). */
export function loadEnvironment(directory: string, environment: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const file = join(directory, '.env');
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, 'utf8')) : {};
  return { ...fromFile, ...environment };
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a parsed config. A missing variable
 * without a default is reported with its path; nothing is replaced by an empty string silently.
 */
export function interpolateEnvironment(
  value: unknown,
  environment: Record<string, string | undefined>,
  issues: ConfigIssue[],
  path: string[] = [],
): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{[^}]+\}$/.test(value);
    const replaced = value.replace(PLACEHOLDER, (match, name: string, fallback: string | undefined) => {
      const found = environment[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      issues.push({
        path: path.join('.'),
        message: `environment variable ${name} is not set`,
        fix: `set ${name} in the environment or in .env, or write \${${name}:-default}`,
      });
      return match;
    });
    // `maxIterations: ${MAX:-5}` must stay a number: a value that is one placeholder is read as YAML would read it.
    if (whole && replaced !== value) {
      const scalar: unknown = parseYamlScalar(replaced);
      return typeof scalar === 'number' || typeof scalar === 'boolean' ? scalar : replaced;
    }
    return replaced;
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnvironment(item, environment, issues, [...path, String(index)]));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnvironment(item, environment, issues, [...path, key])]),
    );
  }
  return value;
}
