import type { ListOptions, ListPage, PutOptions, Storage, StorageBody, StorageObjectInfo } from '@entity/core';
import { ValidationError } from '@entity/core';
import { normaliseKey, normalisePrefix } from './storage-key.js';

/** Folder under which `userStorage` keeps each user's files. */
export const USERS_FOLDER = 'users';

const PLAIN_ID = /^[a-z0-9_-]$/;

/**
 * A user id as one safe path segment. Lower-case letters, digits, `-` and `_` pass through;
 * every other byte (upper case included, so ids differing only in case never share a folder on
 * case-insensitive file systems) becomes `%XX`. Distinct ids always give distinct segments.
 */
export function userSegment(userId: string): string {
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new ValidationError('A user id is needed to scope storage to a user', { code: 'STORAGE_INVALID_USER' });
  }
  let segment = '';
  for (const character of userId) {
    if (PLAIN_ID.test(character)) {
      segment += character;
    } else {
      for (const byte of Buffer.from(character, 'utf8')) segment += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  if (Buffer.byteLength(segment) > 255) {
    throw new ValidationError('The user id is too long to scope storage by', { code: 'STORAGE_INVALID_USER' });
  }
  return segment;
}

function stripInfo(info: StorageObjectInfo, prefix: string): StorageObjectInfo {
  return { ...info, key: info.key.startsWith(prefix) ? info.key.slice(prefix.length) : info.key };
}

/**
 * A view of `storage` confined to keys under `prefix` (a folder such as `projects/alpha/`).
 * Keys are checked on their own first, so errors name the key the caller used and no key can
 * reach outside the folder; keys in results are relative to it. Limits and backups are the
 * underlying storage's.
 */
export function scopedStorage<T extends Storage>(storage: T, prefix: string): Storage {
  const folder = normalisePrefix(prefix);
  const base = folder === '' || folder.endsWith('/') ? folder : `${folder}/`;
  const full = (key: string, reserved = false) => base + normaliseKey(key, { allowReserved: reserved });
  return {
    put: async (key: string, body: StorageBody, options?: PutOptions) => stripInfo(await storage.put(full(key), body, options), base),
    get: (key: string) => storage.get(full(key, true)),
    getText: (key: string) => storage.getText(full(key, true)),
    getStream: (key: string) => storage.getStream(full(key, true)),
    async list(listPrefix = '', options?: ListOptions): Promise<ListPage> {
      const page = await storage.list(base + normalisePrefix(listPrefix), options);
      return { ...page, items: page.items.map((item) => stripInfo(item, base)) };
    },
    delete: (key: string) => storage.delete(full(key, true)),
    stat: async (key: string) => {
      const info = await storage.stat(full(key, true));
      return info === undefined ? undefined : stripInfo(info, base);
    },
    exists: (key: string) => storage.exists(full(key, true)),
  };
}

/** The folder (`users/<id>/`) that `userStorage` confines a user to. */
export function userPrefix(userId: string): string {
  return `${USERS_FOLDER}/${userSegment(userId)}/`;
}

/** A view of `storage` where one user sees only their own files (under `users/<id>/`). */
export function userStorage(storage: Storage, userId: string): Storage {
  return scopedStorage(storage, userPrefix(userId));
}
