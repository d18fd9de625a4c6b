import { createSecretRedactor } from '@entity/core';
import { SECRET_FIELD_NAMES } from '@entity/core/internal';
/** How secrets are removed from log entries before any output sees them. */
export interface RedactionOptions {
  /**
   * Extra dotted paths to censor, matched from the entry's top level; `*` matches any one key
   * (`request.headers.x-session`, `*.email`, `user.address.*`). Default: none.
   */
  paths?: readonly string[];
  /**
   * Key names censored at any depth, compared case-insensitively with `-` and `_` ignored; a key
   * also matches when it ends with one of them (`openaiApiKey` matches `apikey`).
   * Default: {@link DEFAULT_SECRET_KEYS}. Pass `[]` to rely on `paths` only.
   */
  keys?: readonly string[];
  /**
   * Scrub values that look like credentials inside any string, the message included, with the
   * patterns of `@entity/core`'s redactor (`SECRET_TEXT_PATTERNS`), so an entry reads the same
   * whichever logger wrote it: provider API keys (`sk-…`), `Bearer`/`Basic` credentials, JWTs, AWS
   * access key ids, GitHub/Slack/Google tokens, PEM private keys, passwords in URLs and the values
   * of `password=`, `DB_PASSWORD=`, `"client_secret":"…"` and similar pairs. Default: true.
   */
  patterns?: boolean;
  /** Replacement text. Default: `[REDACTED]`. */
  censor?: string;
}

/** Key names treated as secrets wherever they appear (normalised: lower case, no `-`/`_`): core's list, so both redactors agree. */
export const DEFAULT_SECRET_KEYS: readonly string[] = SECRET_FIELD_NAMES;

const MAX_DEPTH = 8;

/** Redacts one value; returns the input itself when nothing needed to change. */
export type Redactor = <T>(value: T) => T;

const normaliseKey = (key: string): string => key.toLowerCase().replace(/[-_]/g, '');

/**
 * Builds a redactor: secret-looking keys and configured paths are censored, credential-looking
 * substrings are scrubbed, `Error`s become plain `{ type, message, code, stack }` objects, and
 * cycles become `[Circular]`. Copy-on-write, so clean entries cost no allocation.
 */
export function createRedactor(options: RedactionOptions = {}): Redactor {
  const censor = options.censor ?? '[REDACTED]';
  const secretKeys = (options.keys ?? DEFAULT_SECRET_KEYS).map(normaliseKey).filter((key) => key.length > 0);
  const paths = (options.paths ?? []).map((path) => path.split('.'));
  const scrubPatterns = options.patterns ?? true;
  const keyVerdicts = new Map<string, boolean>();

  const isSecretKey = (key: string): boolean => {
    let verdict = keyVerdicts.get(key);
    if (verdict === undefined) {
      const normalised = normaliseKey(key);
      verdict = secretKeys.some((secret) => normalised === secret || normalised.endsWith(secret));
      if (keyVerdicts.size < 10_000) keyVerdicts.set(key, verdict);
    }
    return verdict;
  };

  const matchesPath = (trail: readonly string[]): boolean =>
    paths.some(
      (path) => path.length === trail.length && path.every((segment, index) => segment === '*' || segment === trail[index]),
    );

  // Core's patterns only: environment values are left to core's own logger, which reads process.env per call.
  const patternRedactor = createSecretRedactor({ environment: {}, censor });
  // Ids and names recur in every entry of a run; remembering the clean ones skips the regex.
  const cleanStrings = new Set<string>();
  const scrub = (text: string): string => {
    if (!scrubPatterns || text.length < 8 || cleanStrings.has(text)) return text;
    const scrubbed = patternRedactor.text(text);
    if (scrubbed === text && text.length <= 256) {
      if (cleanStrings.size >= 4096) cleanStrings.clear();
      cleanStrings.add(text);
    }
    return scrubbed;
  };

  const visit = (value: unknown, trail: string[], seen: Set<object>): unknown => {
    if (typeof value === 'string') return scrub(value);
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    if (trail.length >= MAX_DEPTH) return '[Object]';
    if (value instanceof Error) return visit(errorToObject(value), trail, seen);
    if (value instanceof Date) return value;
    seen.add(value);
    try {
      if (Array.isArray(value)) {
        let copy: unknown[] | undefined;
        for (let index = 0; index < value.length; index++) {
          const item = value[index];
          trail.push('*');
          const next = paths.length > 0 && matchesPath(trail) ? censor : visit(item, trail, seen);
          trail.pop();
          if (next !== item) {
            copy ??= value.slice();
            copy[index] = next;
          }
        }
        return copy ?? value;
      }
      let copy: Record<string, unknown> | undefined;
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const item = record[key];
        trail.push(key);
        let next: unknown;
        if (item !== undefined && item !== null && (isSecretKey(key) || (paths.length > 0 && matchesPath(trail)))) {
          next = censor;
        } else {
          next = visit(item, trail, seen);
        }
        trail.pop();
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

  return <T>(value: T): T => visit(value, [], new Set()) as T;
}

/** A plain, serialisable view of an error (pino would otherwise print `{}`). */
export function errorToObject(error: Error): Record<string, unknown> {
  const result: Record<string, unknown> = { type: error.name, message: error.message };
  const code = (error as { code?: unknown }).code;
  if (code !== undefined) result.code = code;
  if (error.stack !== undefined) result.stack = error.stack;
  return result;
}
