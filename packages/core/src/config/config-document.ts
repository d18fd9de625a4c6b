import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from '../errors/index.js';
import { interpolateDocument, loadEnvironment } from './env-interpolation.js';

/** A config file as written, with `${VAR}` placeholders replaced, before any validation. */
export interface ConfigDocument {
  /** The parsed document (`{}` for an empty file). */
  document: Record<string, unknown>;
  /** The config file's directory, which relative paths in it are resolved from. */
  baseDir: string;
  /** Placeholders whose variable is not set, each with its path. */
  issues: ConfigIssue[];
}

/**
 * Reads a YAML or JSON config and interpolates the environment (and the `.env` beside it) the
 * way `Agent.fromConfig` does, without validating or loading anything: for adapters that read
 * their own section (`server:` for `@entity/plugin-http`) of a config core passes through.
 */
export async function readConfigDocument(path: string, environment: NodeJS.ProcessEnv = process.env): Promise<ConfigDocument> {
  const file = resolve(path);
  const parsed = parseDocument(await readFile(file, 'utf8'));
  if (parsed.errors.length > 0) throw parsed.errors[0];
  const baseDir = dirname(file);
  const issues: ConfigIssue[] = [];
  interpolateDocument(parsed, loadEnvironment(baseDir, environment), issues);
  const value: unknown = parsed.toJS();
  return { document: typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}, baseDir, issues };
}
