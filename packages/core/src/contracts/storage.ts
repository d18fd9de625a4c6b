import type { Readable } from 'node:stream';
import type { Resource } from './resource.js';

/** Bytes to store: text, a buffer, or a stream (streamed, never fully buffered). */
export type StorageBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface PutOptions {
  /** MIME type. Default: guessed from the key's extension. */
  contentType?: string;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

export interface StorageObjectInfo {
  key: string;
  size: number;
  contentType: string | undefined;
  lastModified: Date;
  etag?: string;
  metadata?: Record<string, string>;
}

export interface ListOptions {
  /** Maximum entries per page. Default: 1000. */
  limit?: number;
  /** The `cursor` of the previous page. */
  cursor?: string;
}

export interface ListPage {
  items: StorageObjectInfo[];
  /** Present when more entries follow. */
  cursor?: string;
}

/** Object/file storage. Keys are `/`-separated relative paths; unsafe keys are refused. */
export interface Storage extends Resource {
  put(key: string, body: StorageBody, options?: PutOptions): Promise<StorageObjectInfo>;
  /** Whole object as bytes, or undefined when missing. */
  get(key: string): Promise<Uint8Array | undefined>;
  getText(key: string): Promise<string | undefined>;
  /** A stream of the object, for large files. Undefined when missing. */
  getStream(key: string): Promise<Readable | undefined>;
  list(prefix?: string, options?: ListOptions): Promise<ListPage>;
  /** Returns whether the object existed. */
  delete(key: string): Promise<boolean>;
  stat(key: string): Promise<StorageObjectInfo | undefined>;
  exists(key: string): Promise<boolean>;
}
