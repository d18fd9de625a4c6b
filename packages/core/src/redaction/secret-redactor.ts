import {
  isDistinctiveSecretValue,
  MAX_REDACTED_TEXT_LENGTH,
  SECRET_ENVIRONMENT_NAME,
  SECRET_FIELD_NAMES,
  SECRET_TEXT_PATTERNS,
} from './secret-patterns.js';

export interface SecretRedactorOptions {
  /**
   * Environment whose secret-named variables (`*_KEY`, `*TOKEN`, `*SECRET`, `*PASSWORD`, ...) have
   * their values censored wherever they appear. Default: `process.env`, read on every call, so a
   * key set after start-up (from `.env`, by a test) is covered too.
   */
  environment?: Record<string, string | undefined>;
  /** Replacement text. Default: `[REDACTED]`, as `@entity/logging` writes it. */
  censor?: string;
}

/** Removes credentials from text and from log fields before anyone outside the process sees them. */
export interface SecretRedactor {
  /** The text with every credential-looking part censored (see `SECRET_TEXT_PATTERNS`). */
  text(text: string): string;
  /**
   * A copy of `value` (only where something changed) with secret-named fields censored whole,
   * every string scrubbed like `text()`, errors turned into plain `{ type, message, code, stack }`
   * objects and cycles into `[Circular]`.
   */
  fields<T>(value: T): T;
}

const MAX_DEPTH = 8;
/** One regular expression for a group of patterns, with what each keeps readable. */
interface PatternGroup {
  readonly pattern: RegExp;
  readonly keep: (RegExp | undefined)[];
  readonly keepEnd: (RegExp | undefined)[];
}

function compileGroup(caseSensitive: boolean): PatternGroup {
  const entries = SECRET_TEXT_PATTERNS.filter((entry) => (entry.caseSensitive ?? false) === caseSensitive);
  const flags = caseSensitive ? '' : 'i';
  return {
    pattern: new RegExp(entries.map(({ pattern }) => `(${pattern})`).join('|'), `g${flags}`),
    keep: entries.map(({ keep }) => (keep === undefined ? undefined : new RegExp(keep, flags))),
    keepEnd: entries.map(({ keepEnd }) => (keepEnd === undefined ? undefined : new RegExp(keepEnd, flags))),
  };
}

// Case-insensitive: `DB_PASSWORD=`, `Password=` and `POSTGRES://` carry secrets as much as their
// lowercase forms. Vendor tokens (`sk-`, `AKIA…`) go through a second, case-sensitive pass: inline
// regex modifiers that could mix both in one expression need Node 23.
const PATTERN_GROUPS: readonly PatternGroup[] = [compileGroup(false), compileGroup(true)];
const FIELD_NAMES = SECRET_FIELD_NAMES.map((name) => name.toLowerCase());
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const normaliseFieldName = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

/** Builds a redactor; see {@link SecretRedactorOptions} for what it reads. */
export function createSecretRedactor(options: SecretRedactorOptions = {}): SecretRedactor {
  const censor = options.censor ?? '[REDACTED]';
  const nameVerdicts = new Map<string, boolean>();
  const fieldVerdicts = new Map<string, boolean>();
  let environmentKey = '';
  let environmentPattern: RegExp | undefined;

  const isSecretName = (name: string): boolean => {
    let verdict = nameVerdicts.get(name);
    if (verdict === undefined) {
      verdict = SECRET_ENVIRONMENT_NAME.test(name);
      if (nameVerdicts.size < 10_000) nameVerdicts.set(name, verdict);
    }
    return verdict;
  };

  // Rebuilt only when the secret values in the environment change.
  const environmentSecrets = (): RegExp | undefined => {
    const environment = options.environment ?? process.env;
    const values: string[] = [];
    for (const name in environment) {
      const value = environment[name];
      if (value !== undefined && isDistinctiveSecretValue(value) && isSecretName(name)) values.push(value);
    }
    const key = values.join('\u0000');
    if (key !== environmentKey) {
      environmentKey = key;
      // Longest first, so a value that contains another is censored whole; whole tokens only, so a
      // value never censors part of a longer word.
      environmentPattern =
        values.length === 0
          ? undefined
          : new RegExp(`(?<![A-Za-z0-9])(?:${values.sort((a, b) => b.length - a.length).map(escapeRegExp).join('|')})(?![A-Za-z0-9])`, 'g');
    }
    return environmentPattern;
  };

  const scrub = (input: string, secrets: RegExp | undefined): string => {
    if (input.length < 3) return input;
    let output = truncate(input);
    for (const { pattern, keep, keepEnd } of PATTERN_GROUPS) {
      output = output.replace(pattern, (match, ...groups: unknown[]) => {
        const index = groups.findIndex((group, position) => position < keep.length && group !== undefined);
        const kept = keep[index]?.exec(match)?.[0] ?? '';
        const keptEnd = keepEnd[index]?.exec(match.slice(kept.length))?.[0] ?? '';
        return `${kept}${censor}${keptEnd}`;
      });
    }
    if (secrets) output = output.replace(secrets, censor);
    return output;
  };

  const isSecretField = (name: string): boolean => {
    let verdict = fieldVerdicts.get(name);
    if (verdict === undefined) {
      const normalised = normaliseFieldName(name);
      verdict = FIELD_NAMES.some((secret) => normalised === secret || normalised.endsWith(secret));
      if (fieldVerdicts.size < 10_000) fieldVerdicts.set(name, verdict);
    }
    return verdict;
  };

  const visit = (value: unknown, depth: number, seen: Set<object>, secrets: RegExp | undefined): unknown => {
    if (typeof value === 'string') return scrub(value, secrets);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Object]';
    if (value instanceof Error) return visit(errorToObject(value), depth, seen, secrets);
    if (value instanceof Date) return value;
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        value.forEach((item, index) => {
          const next = visit(item, depth + 1, seen, secrets);
          if (next !== item) {
            copy ??= value.slice();
            copy[index] = next;
          }
        });
        return copy ?? value;
      }
      let copy: Record<string, unknown> | undefined;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        const next = item !== undefined && item !== null && isSecretField(key) ? censor : visit(item, depth + 1, seen, secrets);
        if (next !== item) {
          copy ??= { ...record };
          copy[key] = next;
        }
      }
      return copy ?? value;
    } finally {
      seen.delete(value);
    }
  };

  // The environment is read once per call, not once per string.
  return {
    text: (input) => scrub(input, environmentSecrets()),
    fields: <T>(value: T): T => visit(value, 0, new Set(), environmentSecrets()) as T,
  };
}

/**
 * Cuts text longer than {@link MAX_REDACTED_TEXT_LENGTH}, dropping the token the cut falls in too
 * (half a key would no longer match its pattern), and says how much went.
 */
function truncate(input: string): string {
  if (input.length <= MAX_REDACTED_TEXT_LENGTH) return input;
  let end = MAX_REDACTED_TEXT_LENGTH;
  const floor = end - 512;
  while (end > floor && !/\s/.test(input[end - 1]!)) end--;
  if (end === floor) end = MAX_REDACTED_TEXT_LENGTH - 512;
  return `${input.slice(0, end)}…[truncated ${input.length - end} characters]`;
}

function errorToObject(error: Error): Record<string, unknown> {
  const result: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) result.code = code;
  if (error.stack !== undefined) result.stack = error.stack;
  return result;
}

let shared: SecretRedactor | undefined;

/** Censors credentials in `text` with the default redactor (patterns plus secret-named `process.env` values). */
export function redactSecrets(text: string): string {
  shared ??= createSecretRedactor();
  return shared.text(text);
}

/** `issues` with secrets censored in each message and fix (for ConfigErrors built from other code's text). */
export function redactIssues<T extends { message: string; fix?: string }>(issues: readonly T[]): T[] {
  return issues.map((issue) => ({ ...issue, message: redactSecrets(issue.message), ...(issue.fix === undefined ? {} : { fix: redactSecrets(issue.fix) }) }));
}
