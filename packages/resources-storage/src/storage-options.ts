import { ConfigError } from '@entity/core';

/** Extensions writable by default: plain-text formats an agent reads and writes. */
export const DEFAULT_ALLOWED_EXTENSIONS: readonly string[] = Object.freeze(['.txt', '.json', '.csv', '.md', '.yaml', '.yml', '.log']);
/** 10 MB. */
export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
/** Backups kept per file by `backupOnOverwrite`. */
export const DEFAULT_MAX_BACKUPS = 5;
/** File systems: open after 2 consecutive failures, as the design's defaults say. */
export const DEFAULT_FAILURE_THRESHOLD = 2;

/** Safety and resilience settings shared by every driver. */
export interface StorageOptions {
  /**
   * Largest object accepted, in bytes (or a size like `"200 MB"`). Checked before any byte is
   * written; a stream that grows past it is aborted and leaves nothing behind. Also the largest
   * object `get()`/`getText()` read into memory (larger ones need `getStream()`). Default: 10 MB.
   * `Infinity` disables the limit.
   */
  maxFileSize?: number | string;
  /**
   * Extensions (with or without the dot, any case) a key must end with to be written, or `'*'`
   * for any. Reads are not restricted. Default: `.txt .json .csv .md .yaml .yml .log`.
   */
  allowedExtensions?: readonly string[] | '*';
  /**
   * Before overwriting, copy the previous version to `<folder>/.backups/<name>.<timestamp>-<id><ext>`
   * (listed, readable and deletable like any key, never writable directly). Default: false.
   */
  backupOnOverwrite?: boolean;
  /**
   * Backups kept per file with `backupOnOverwrite`: after each overwrite the oldest beyond this
   * many are deleted, so a file rewritten in a loop cannot fill the disk. Default: 5.
   */
  maxBackups?: number;
  /** Retry policy for failed calls, or `false`. Default: 2 retries, 50 ms base delay, 1 s cap. Streamed puts are never retried (a stream cannot be replayed). */
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number } | false;
  /** Circuit breaker settings. Default: opens after 2 consecutive failures, probes again after 30 s. */
  circuitBreaker?: { failureThreshold?: number; resetTimeoutMs?: number };
  /** Time budget of each attempt in ms. Default: none (large streams may take long). */
  timeoutMs?: number;
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|kib|mib|gib)?\s*$/i;
const UNITS: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Parses `10485760`, `"10 MB"`, `"512kb"` into bytes (binary units: 1 MB = 1024 × 1024 bytes). */
export function parseByteSize(value: number | string, path = 'maxFileSize'): number {
  if (typeof value === 'number') {
    if (value > 0 && (Number.isSafeInteger(value) || value === Number.POSITIVE_INFINITY)) return value;
  } else {
    const match = SIZE.exec(value);
    if (match?.[1] !== undefined) {
      const bytes = Math.floor(Number(match[1]) * (UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1));
      if (bytes > 0) return bytes;
    }
  }
  throw new ConfigError([{ path, message: `${JSON.stringify(value)} is not a size`, fix: 'use a positive number of bytes or a size like "10 MB"' }]);
}

/** `['txt', '.MD']` → `Set { '.txt', '.md' }`; `'*'` → undefined (any extension). */
export function normaliseExtensions(extensions: readonly string[] | '*'): ReadonlySet<string> | undefined {
  if (extensions === '*') return undefined;
  return new Set(extensions.map((extension) => (extension.startsWith('.') ? extension : `.${extension}`).toLowerCase()));
}
