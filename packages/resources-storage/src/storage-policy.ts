import { isDeepStrictEqual } from 'node:util';
import { CircuitBreaker, ConfigError, createResilientCall, type ResilientCall } from '@entity/core';
import {
  DEFAULT_ALLOWED_EXTENSIONS,
  DEFAULT_FAILURE_THRESHOLD,
  DEFAULT_MAX_BACKUPS,
  DEFAULT_MAX_FILE_SIZE,
  normaliseExtensions,
  parseByteSize,
  type StorageOptions,
} from './storage-options.js';

/** The limits and resilience a storage applies, built from its options (again on a hot reload). */
export interface StoragePolicy {
  readonly options: StorageOptions;
  readonly maxFileSize: number;
  readonly allowedExtensions: readonly string[] | '*';
  /** Lower-case extensions with their dot, or undefined for any. */
  readonly extensions: ReadonlySet<string> | undefined;
  readonly backupOnOverwrite: boolean;
  readonly maxBackups: number;
  readonly circuitBreaker: CircuitBreaker;
  /** Timeout, breaker and retries: for calls that can be repeated. */
  readonly withRetries: ResilientCall;
  /** Timeout and breaker only: for streamed puts, whose body cannot be replayed. */
  readonly once: ResilientCall;
}

/** Option keys every storage accepts and can change while running. */
export const SAFETY_KEYS: readonly (keyof StorageOptions)[] = [
  'maxFileSize',
  'allowedExtensions',
  'backupOnOverwrite',
  'maxBackups',
  'retry',
  'circuitBreaker',
  'timeoutMs',
];

/** Builds the policy; keeps `previous`'s circuit breaker (and its state) when its settings did not change. */
export function buildPolicy(provider: string, options: StorageOptions, previous?: StoragePolicy): StoragePolicy {
  const maxFileSize = parseByteSize(options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE);
  const allowedExtensions = options.allowedExtensions ?? DEFAULT_ALLOWED_EXTENSIONS;
  const maxBackups = options.maxBackups ?? DEFAULT_MAX_BACKUPS;
  if (!Number.isSafeInteger(maxBackups) || maxBackups < 1) {
    throw new ConfigError([{ path: 'maxBackups', message: `${JSON.stringify(maxBackups)} is not a backup count`, fix: 'use a whole number of at least 1' }]);
  }
  const circuitBreaker =
    previous && isDeepStrictEqual(previous.options.circuitBreaker, options.circuitBreaker)
      ? previous.circuitBreaker
      : new CircuitBreaker({
          name: provider,
          failureThreshold: options.circuitBreaker?.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD,
          resetTimeoutMs: options.circuitBreaker?.resetTimeoutMs ?? 30_000,
        });
  const retry = options.retry === false ? false : { retries: 2, baseDelayMs: 50, maxDelayMs: 1_000, ...options.retry };
  const shared = { name: provider, circuitBreaker, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) };
  return {
    options,
    maxFileSize,
    allowedExtensions,
    extensions: normaliseExtensions(allowedExtensions),
    backupOnOverwrite: options.backupOnOverwrite ?? false,
    maxBackups,
    circuitBreaker,
    withRetries: createResilientCall({ ...shared, retry }),
    once: createResilientCall({ ...shared, retry: false }),
  };
}

/**
 * Splits a hot-reloaded config block into the safety options (applied live) and the driver's
 * settings, which must not have changed: a new root or bucket means a restart.
 */
export function safetyOptionsOf(config: Record<string, unknown>, fixed: Record<string, unknown>): StorageOptions {
  const changed = [...new Set([...Object.keys(config), ...Object.keys(fixed)])].filter(
    (key) => !(SAFETY_KEYS as readonly string[]).includes(key) && !isDeepStrictEqual(config[key], fixed[key]),
  );
  if (changed.length > 0) {
    throw new ConfigError(
      changed.map((key) => ({ path: key, message: `"${key}" cannot change while the storage is running`, fix: 'restart the agent to apply it' })),
    );
  }
  const options: Record<string, unknown> = {};
  for (const key of SAFETY_KEYS) if (config[key] !== undefined) options[key] = config[key];
  return options as StorageOptions;
}
