import type { Storage } from '@entity/core';
import { ValidationError } from '@entity/core';
import { type DocumentFormat, type DocumentSource, formatOf, type RefusedFile, type SourceFile } from './document.js';

export interface StorageSourceOptions {
  /** Only keys starting with this prefix (e.g. `docs/`). Default: every key. */
  prefix?: string;
  /** Largest object read, in bytes; larger ones are refused. Default: 20 MiB. */
  maxFileBytes?: number;
  formats?: readonly DocumentFormat[];
}

/**
 * The storage resource's files (local folder, S3, in-memory) with a known extension. Paths are
 * the keys without `prefix`. The storage refuses unsafe keys itself.
 */
export function storageSource(storage: Storage, options: StorageSourceOptions = {}): DocumentSource {
  const prefix = options.prefix ?? '';
  if (typeof prefix !== 'string') throw new ValidationError('prefix must be a string');
  const maxBytes = options.maxFileBytes ?? 20 * 1024 * 1024;
  const formats = new Set(options.formats ?? ['markdown', 'text', 'html', 'pdf']);
  return {
    description: `storage${prefix ? ` ${prefix}` : ''}`,
    async list() {
      const files: SourceFile[] = [];
      const refused: RefusedFile[] = [];
      let cursor: string | undefined;
      do {
        const page = await storage.list(prefix, cursor === undefined ? {} : { cursor });
        for (const item of page.items) {
          const format = formatOf(item.key);
          if (format === undefined || !formats.has(format)) continue;
          const path = item.key.slice(prefix.length).replace(/^\/+/, '') || item.key;
          if (item.size > maxBytes) {
            refused.push({ path, reason: `${item.size} bytes, more than maxFileBytes (${maxBytes})` });
            continue;
          }
          files.push({
            path,
            format,
            read: async () => {
              const bytes = await storage.get(item.key);
              if (bytes === undefined) throw new ValidationError(`storage object ${item.key} disappeared while ingesting`);
              // The listed size can be stale: the object may have been replaced since.
              if (bytes.length > maxBytes) throw new ValidationError(`storage object ${item.key} is ${bytes.length} bytes, more than maxFileBytes (${maxBytes})`);
              return bytes;
            },
          });
        }
        cursor = page.cursor;
      } while (cursor !== undefined);
      files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      return { files, refused };
    },
  };
}
