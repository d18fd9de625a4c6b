import { Readable } from 'node:stream';
import type { ListPage, StorageObjectInfo } from '@entity/core';
import { readTooLarge } from './body.js';
import { createStorage, type ManagedStorage } from './create-storage.js';
import type { DriverPutRequest, StorageDriver } from './storage-driver.js';
import { compareKeys } from './storage-key.js';
import type { StorageOptions } from './storage-options.js';

interface MemoryObject {
  bytes: Uint8Array;
  info: StorageObjectInfo;
}

function copyInfo(info: StorageObjectInfo): StorageObjectInfo {
  return { ...info, lastModified: new Date(info.lastModified), ...(info.metadata ? { metadata: { ...info.metadata } } : {}) };
}

/** A driver keeping objects in a Map: for tests and throwaway agents. Nothing survives the process. */
export function inMemoryDriver(options: { now?: () => Date } = {}): StorageDriver {
  const objects = new Map<string, MemoryObject>();
  const now = options.now ?? (() => new Date());
  let version = 0;
  return {
    name: 'memory',
    async put(request: DriverPutRequest): Promise<StorageObjectInfo> {
      let bytes: Uint8Array;
      if (request.body instanceof Uint8Array) {
        bytes = new Uint8Array(request.body);
      } else {
        const chunks: Uint8Array[] = [];
        for await (const chunk of request.body) {
          if (request.signal.aborted) throw request.signal.reason;
          chunks.push(chunk);
        }
        bytes = Buffer.concat(chunks);
      }
      const info: StorageObjectInfo = {
        key: request.key,
        size: bytes.byteLength,
        contentType: request.contentType,
        lastModified: now(),
        etag: `"m${++version}"`,
        ...(request.metadata ? { metadata: { ...request.metadata } } : {}),
      };
      // Stored only once the whole body arrived: a failed stream leaves the previous object in place.
      objects.set(request.key, { bytes, info });
      return copyInfo(info);
    },
    async get(key, _signal, maxBytes) {
      const object = objects.get(key);
      if (object !== undefined && object.bytes.byteLength > maxBytes) throw readTooLarge(key, maxBytes, object.bytes.byteLength);
      return object === undefined ? undefined : new Uint8Array(object.bytes);
    },
    async getStream(key) {
      const object = objects.get(key);
      if (object === undefined) return undefined;
      const { bytes } = object;
      const chunkSize = 64 * 1024;
      return Readable.from(
        (function* () {
          for (let offset = 0; offset < bytes.byteLength; offset += chunkSize) yield bytes.subarray(offset, offset + chunkSize);
        })(),
      );
    },
    async list(prefix, page): Promise<ListPage> {
      const keys = [...objects.keys()]
        .filter((key) => key.startsWith(prefix) && (page.cursor === undefined || compareKeys(key, page.cursor) > 0))
        .sort(compareKeys);
      const items = keys.slice(0, page.limit).map((key) => copyInfo(objects.get(key)!.info));
      const last = items.at(-1);
      return keys.length > page.limit && last ? { items, cursor: last.key } : { items };
    },
    async delete(key) {
      return objects.delete(key);
    },
    async stat(key) {
      const object = objects.get(key);
      return object === undefined ? undefined : copyInfo(object.info);
    },
    async copy(from, to) {
      const object = objects.get(from);
      if (object === undefined) throw Object.assign(new Error('source object disappeared'), { code: 'ENOENT' });
      objects.set(to, { bytes: object.bytes, info: { ...copyInfo(object.info), key: to, lastModified: now(), etag: `"m${++version}"` } });
    },
  };
}

/** Storage held in memory, with the same safety rules as the other drivers. */
export function inMemoryStorage(options: StorageOptions = {}): ManagedStorage {
  return createStorage(inMemoryDriver(), options);
}
