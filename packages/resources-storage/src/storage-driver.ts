import type { Readable } from 'node:stream';
import type { HealthReport, ListPage, ResourceStartContext, StorageObjectInfo } from '@entity/core';

/** One write as a driver receives it: key checked, limits applied, content type decided. */
export interface DriverPutRequest {
  key: string;
  /** Whole bytes, or a stream that throws (and must leave nothing behind) when it passes `maxFileSize`. */
  body: Uint8Array | AsyncIterable<Uint8Array>;
  contentType: string;
  metadata: Record<string, string> | undefined;
  signal: AbortSignal;
}

/** How a driver describes a raw failure of its backend, so the shared layer can word and classify it. */
export interface DriverFailure {
  /** Short, safe description (no credentials, paths outside the root or stack traces). */
  reason: string;
  /** Repeating the call may succeed (network blips, throttling, 5xx). */
  retryable: boolean;
  /** The key clashes with existing data (a folder where a file should be); the caller's problem, not the backend's. */
  conflict?: boolean;
  status?: number;
}

/**
 * The small surface a storage backend implements. Keys arrive already normalised and checked;
 * size and extension limits, backups, retries, the circuit breaker and error wording are added
 * once by `createStorage`, so a new backend only moves bytes.
 */
export interface StorageDriver {
  /** Short name used in circuit names and errors: `local`, `s3`, `memory`. */
  readonly name: string;
  put(request: DriverPutRequest): Promise<StorageObjectInfo>;
  /**
   * The whole object, or undefined when missing. Must refuse (with `readTooLarge`) an object
   * larger than `maxBytes` without reading it all into memory; `createStorage` checks again.
   */
  get(key: string, signal: AbortSignal, maxBytes: number): Promise<Uint8Array | undefined>;
  /** A stream that hands the object over in chunks, never buffering it whole. */
  getStream(key: string, signal: AbortSignal): Promise<Readable | undefined>;
  /** Keys starting with `prefix` in code-point order; `cursor` is whatever the previous page returned. */
  list(prefix: string, page: { limit: number; cursor: string | undefined }, signal: AbortSignal): Promise<ListPage>;
  delete(key: string, signal: AbortSignal): Promise<boolean>;
  stat(key: string, signal: AbortSignal): Promise<StorageObjectInfo | undefined>;
  /** Server-side copy (used for backups); `from` exists when called. */
  copy(from: string, to: string, signal: AbortSignal): Promise<void>;
  /** Classifies a raw error thrown by this driver. Default: network codes are retryable, the rest are not. */
  describeError?(error: unknown): DriverFailure;
  start?(context: ResourceStartContext): Promise<void> | void;
  stop?(): Promise<void> | void;
  healthCheck?(): Promise<HealthReport>;
}
