import { createHash, randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  CancelledError,
  type CircuitBreaker,
  CircuitOpenError,
  EntityError,
  type HealthReport,
  isRetryableError,
  type ListOptions,
  type ListPage,
  ProviderError,
  type PutOptions,
  type ResilientCall,
  type ResourceStartContext,
  type Storage,
  type StorageBody,
  type StorageObjectInfo,
  TimeoutError,
  ValidationError,
} from '@entity/core';
import { prepareBody, readTooLarge } from './body.js';
import { guessContentType } from './content-type.js';
import { validateContentType, validateMetadata } from './metadata.js';
import type { DriverFailure, StorageDriver } from './storage-driver.js';
import { BACKUP_SEGMENT, compareKeys, type KeyOperation, keyExtension, MAX_KEY_BYTES, MAX_SEGMENT_BYTES, normaliseKey, normalisePrefix } from './storage-key.js';
import type { StorageOptions } from './storage-options.js';
import { buildPolicy, safetyOptionsOf } from './storage-policy.js';

/** Largest page `list()` returns (S3's own maximum). */
export const MAX_LIST_LIMIT = 1000;

/** A `Storage` built by this package: the contract plus what it is and how it is doing. */
export interface ManagedStorage extends Storage {
  /** The driver's name: `local`, `s3`, `memory`, or a custom driver's. */
  readonly driver: string;
  /** The breaker shared by every call (its `stats` show failures and rejections). */
  readonly circuitBreaker: CircuitBreaker;
  /** Effective limits after defaults. */
  readonly limits: {
    readonly maxFileSize: number;
    readonly allowedExtensions: readonly string[] | '*';
    readonly backupOnOverwrite: boolean;
    readonly maxBackups: number;
  };
  /** Prepares the driver (the S3 driver checks or creates its bucket). Safe to skip for local and memory. */
  start(context: ResourceStartContext): Promise<void>;
  stop(): Promise<void>;
  healthCheck(): Promise<HealthReport>;
  /**
   * Hot reload: applies new safety options (limits, backups, retries, breaker, timeout) from a
   * config block. Driver settings (root, bucket, endpoint...) cannot change live: a ConfigError
   * says to restart.
   */
  reconfigure(config: unknown): void;
}

export interface CreateStorageSettings {
  /** The driver's own settings as configured, which a hot reload may not change. */
  fixed?: Record<string, unknown>;
}

const SAFE_UNAVAILABLE = 'Sorry, file storage is not available right now. Please try again later.';

function defaultFailure(error: unknown): DriverFailure {
  const code = (error as { code?: unknown } | null)?.code;
  return { reason: typeof code === 'string' ? code : 'unexpected error', retryable: isRetryableError(error) };
}

function isAddressable(key: string): boolean {
  try {
    return normaliseKey(key, { allowReserved: true }) === key;
  } catch {
    return false;
  }
}

/** `<ts>` in backup names: UTC, to the millisecond, without separators (sorts as it happened). */
const BACKUP_STAMP = /^\d{8}T\d{9}Z$/;
const BACKUP_SUFFIX_LENGTH = '.20260101T000000000Z-abcdef'.length;

/**
 * Where the backups of `key` live and how their names start and end. A name too long to take the
 * timestamp is shortened, and then carries `~` and a hash of the whole name: two long names that
 * share their first bytes would otherwise share a backup stem, and pruning one file's backups
 * would delete the other's.
 */
function backupParts(key: string): { folder: string; stem: string; extension: string } {
  const slash = key.lastIndexOf('/');
  const folder = `${slash === -1 ? '' : key.slice(0, slash + 1)}${BACKUP_SEGMENT}/`;
  const name = key.slice(slash + 1);
  const extension = name.slice(name.length - keyExtension(key).length);
  const fullStem = name.slice(0, name.length - extension.length);
  const fits = (stem: string) => {
    const segment = stem + 'x'.repeat(BACKUP_SUFFIX_LENGTH) + extension;
    return Buffer.byteLength(segment) <= MAX_SEGMENT_BYTES && Buffer.byteLength(folder + segment) <= MAX_KEY_BYTES;
  };
  if (fits(fullStem)) return { folder, stem: fullStem, extension };
  const mark = `~${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  let characters = [...fullStem];
  while (characters.length > 1 && !fits(characters.join('') + mark)) characters = characters.slice(0, -1);
  return { folder, stem: characters.join('') + mark, extension };
}

function backupKeyFor(key: string, stamp: Date): string {
  const { folder, stem, extension } = backupParts(key);
  return `${folder}${stem}.${stamp.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}${extension}`;
}

/** Whether `candidate` (in the backup folder of `key`) is one of `key`'s backups, not another file's. */
function isBackupOf(candidate: string, key: string): boolean {
  const { folder, stem, extension } = backupParts(key);
  const start = `${folder}${stem}.`;
  if (!candidate.startsWith(start) || !candidate.endsWith(extension)) return false;
  const middle = candidate.slice(start.length, candidate.length - extension.length);
  const dash = middle.lastIndexOf('-');
  return dash !== -1 && BACKUP_STAMP.test(middle.slice(0, dash)) && /^[0-9a-f]{6}$/.test(middle.slice(dash + 1));
}

/**
 * Wraps a driver in the safety layer every Storage shares: key normalisation and refusal of
 * unsafe keys, size and extension limits checked before any byte is written, metadata checks,
 * `backupOnOverwrite`, retries and a circuit breaker (core's `createResilientCall`) around every
 * call, and errors that name the operation and the key.
 */
export function createStorage(driver: StorageDriver, options: StorageOptions = {}, settings: CreateStorageSettings = {}): ManagedStorage {
  const provider = `storage:${driver.name}`;
  let policy = buildPolicy(provider, options);

  const translate = (error: unknown, operation: KeyOperation, key: string, signal: AbortSignal): unknown => {
    if (EntityError.isInstance(error)) return error;
    if (signal.aborted || (error instanceof Error && error.name === 'AbortError')) {
      return new CancelledError(`Storage ${operation} of "${key}" was cancelled`, { cause: error });
    }
    const failure = driver.describeError?.(error) ?? defaultFailure(error);
    const message = `Storage ${operation} failed for key "${key}": ${failure.reason}`;
    const details = { operation, key, driver: driver.name };
    if (failure.conflict) return new ValidationError(message, { code: 'STORAGE_KEY_CONFLICT', cause: error, details });
    return new ProviderError(provider, message, {
      cause: error,
      retryable: failure.retryable,
      safeMessage: SAFE_UNAVAILABLE,
      details,
      ...(failure.status === undefined ? {} : { status: failure.status }),
    });
  };

  const finalError = (error: unknown, lastFailure: unknown, operation: KeyOperation, key: string): unknown => {
    const details = { operation, key, driver: driver.name };
    // The breaker opening mid-retry hides the real cause; report the failure that opened it.
    if (CircuitOpenError.isInstance(error)) {
      if (lastFailure !== undefined) return lastFailure;
      const refused = new CircuitOpenError(error.circuit, error.retryInMs, { cause: error, details, safeMessage: SAFE_UNAVAILABLE });
      refused.message = `Storage ${operation} of "${key}" refused: ${error.message}`;
      return refused;
    }
    if (TimeoutError.isInstance(error) && error.cause === undefined) {
      return new TimeoutError(`Storage ${operation} of "${key}" timed out after ${error.timeoutMs} ms`, error.timeoutMs, { cause: error, details });
    }
    return error;
  };

  const run = async <T>(
    operation: KeyOperation,
    key: string,
    work: (signal: AbortSignal) => Promise<T>,
    call: ResilientCall = policy.withRetries,
    signal?: AbortSignal,
  ): Promise<T> => {
    let lastFailure: unknown;
    const attempt = async (attemptSignal: AbortSignal): Promise<T> => {
      try {
        return await work(attemptSignal);
      } catch (error) {
        lastFailure = translate(error, operation, key, attemptSignal);
        throw lastFailure;
      }
    };
    try {
      return await call(attempt, { signal });
    } catch (error) {
      throw finalError(error, lastFailure, operation, key);
    }
  };

  const checkWritable = (key: string): void => {
    const { extensions } = policy;
    if (extensions !== undefined && !extensions.has(keyExtension(key))) {
      const allowed = [...extensions].join(' ');
      const extension = keyExtension(key) || '(none)';
      throw new ValidationError(`Storage put refused for key "${key}": extension ${extension} is not allowed (allowed: ${allowed})`, {
        code: 'STORAGE_EXTENSION_NOT_ALLOWED',
        safeMessage: `Files of type ${extension} cannot be saved. Allowed: ${allowed}.`,
        details: { key, operation: 'put', allowedExtensions: [...extensions] },
      });
    }
  };

  const stat = (key: string) => run('stat', key, (signal) => driver.stat(key, signal));

  let lastBackupStamp = 0;
  /** Strictly increasing per storage, so names order backups as they were made even within one millisecond. */
  const nextBackupStamp = (): Date => {
    lastBackupStamp = Math.max(Date.now(), lastBackupStamp + 1);
    return new Date(lastBackupStamp);
  };

  /** Deletes the oldest backups of `key` beyond `keep`. Best effort: the write itself succeeded, and the next overwrite prunes again. */
  const pruneBackups = async (key: string, keep: number): Promise<void> => {
    try {
      const { folder } = backupParts(key);
      const backups: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await run('list', folder, (signal) => driver.list(folder, { limit: MAX_LIST_LIMIT, cursor }, signal));
        for (const item of page.items) if (isBackupOf(item.key, key)) backups.push(item.key);
        cursor = page.cursor;
      } while (cursor !== undefined);
      backups.sort(compareKeys);
      for (const old of backups.slice(0, Math.max(0, backups.length - keep))) await run('delete', old, (signal) => driver.delete(old, signal));
    } catch {
      // Left for the next overwrite; failing the caller's completed write would be worse.
    }
  };

  const put = async (rawKey: string, body: StorageBody, putOptions: PutOptions = {}): Promise<StorageObjectInfo> => {
    const key = normaliseKey(rawKey);
    checkWritable(key);
    const metadata = validateMetadata(key, putOptions.metadata);
    const contentType = putOptions.contentType === undefined ? guessContentType(key) : validateContentType(key, putOptions.contentType);
    const prepared = prepareBody(body, key, policy.maxFileSize);
    let backupKey: string | undefined;
    const { backupOnOverwrite, maxBackups } = policy;
    if (backupOnOverwrite && (await stat(key)) !== undefined) {
      const target = backupKeyFor(key, nextBackupStamp());
      await run('copy', key, (signal) => driver.copy(key, target, signal));
      backupKey = target;
    }
    try {
      const info = await run(
        'put',
        key,
        (signal) => driver.put({ key, body: prepared.kind === 'bytes' ? prepared.bytes : prepared.stream, contentType, metadata, signal }),
        prepared.kind === 'bytes' ? policy.withRetries : policy.once,
        putOptions.signal,
      );
      if (backupKey !== undefined) await pruneBackups(key, maxBackups);
      return info;
    } catch (error) {
      // The overwrite did not happen, so the backup would only be a confusing duplicate.
      if (backupKey !== undefined) await driver.delete(backupKey, new AbortController().signal).catch(() => undefined);
      throw error;
    }
  };

  const get = async (rawKey: string): Promise<Uint8Array | undefined> => {
    const key = normaliseKey(rawKey, { allowReserved: true });
    const { maxFileSize } = policy;
    const bytes = await run('get', key, (signal) => driver.get(key, signal, maxFileSize));
    // A custom driver that ignored the limit still does not hand an oversized object on.
    if (bytes !== undefined && bytes.byteLength > maxFileSize) throw readTooLarge(key, maxFileSize, bytes.byteLength);
    return bytes;
  };

  const storage: ManagedStorage = {
    driver: driver.name,
    get circuitBreaker() {
      return policy.circuitBreaker;
    },
    get limits() {
      return { maxFileSize: policy.maxFileSize, allowedExtensions: policy.allowedExtensions, backupOnOverwrite: policy.backupOnOverwrite, maxBackups: policy.maxBackups };
    },
    reconfigure(config: unknown) {
      const next = safetyOptionsOf((config ?? {}) as Record<string, unknown>, settings.fixed ?? {});
      policy = buildPolicy(provider, next, policy);
    },
    put,
    get,
    async getText(rawKey: string): Promise<string | undefined> {
      const bytes = await get(rawKey);
      return bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    },
    async getStream(rawKey: string): Promise<Readable | undefined> {
      const key = normaliseKey(rawKey, { allowReserved: true });
      return run('getStream', key, (signal) => driver.getStream(key, signal));
    },
    async list(rawPrefix = '', listOptions: ListOptions = {}): Promise<ListPage> {
      const prefix = normalisePrefix(rawPrefix);
      const limit = listOptions.limit ?? MAX_LIST_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
        throw new ValidationError(`Storage list of "${prefix}": limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`, {
          code: 'STORAGE_INVALID_LIST_OPTIONS',
        });
      }
      if (listOptions.cursor !== undefined && (typeof listOptions.cursor !== 'string' || listOptions.cursor === '')) {
        throw new ValidationError(`Storage list of "${prefix}": cursor must be the non-empty string a previous page returned`, {
          code: 'STORAGE_INVALID_LIST_OPTIONS',
        });
      }
      const page = await run('list', prefix, (signal) => driver.list(prefix, { limit, cursor: listOptions.cursor }, signal));
      // Objects written by other tools under names this API would refuse cannot be addressed; leave them out.
      return { ...page, items: page.items.filter((item) => isAddressable(item.key)) };
    },
    async delete(rawKey: string): Promise<boolean> {
      const key = normaliseKey(rawKey, { allowReserved: true });
      return run('delete', key, (signal) => driver.delete(key, signal));
    },
    async stat(rawKey: string): Promise<StorageObjectInfo | undefined> {
      return stat(normaliseKey(rawKey, { allowReserved: true }));
    },
    async exists(rawKey: string): Promise<boolean> {
      const key = normaliseKey(rawKey, { allowReserved: true });
      return (await run('exists', key, (signal) => driver.stat(key, signal))) !== undefined;
    },
    async start(context: ResourceStartContext) {
      await driver.start?.(context);
    },
    async stop() {
      await driver.stop?.();
    },
    async healthCheck(): Promise<HealthReport> {
      if (driver.healthCheck) return driver.healthCheck();
      try {
        await storage.list('', { limit: 1 });
        return { healthy: true, message: `${driver.name} storage answers` };
      } catch (error) {
        return { healthy: false, message: error instanceof Error ? error.message : String(error) };
      }
    },
  };
  return storage;
}
