import type { ListOptions, ListPage, PutOptions, Storage, StorageBody, StorageObjectInfo } from '@entity/core';
import { EntityError, ValidationError } from '@entity/core';
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

/** Errors from the underlying storage name the full key; show the caller the key they used. */
function renamed(error: unknown, fullKey: string, key: string): unknown {
  if (EntityError.isInstance(error) && fullKey !== key) {
    error.message = error.message.replaceAll(JSON.stringify(fullKey), JSON.stringify(key));
    if (error.details?.key === fullKey) (error.details as Record<string, unknown>).key = key;
  }
  return error;
}

/**
 * A view of `storage` confined to keys under `prefix` (a folder such as `projects/alpha/`).
 * Keys are checked on their own first, so no key can reach outside the folder, errors name the
 * key the caller used, and keys in results are relative to the folder. Limits and backups are
 * the underlying storage's.
 */
export function scopedStorage(storage: Storage, prefix: string): Storage {
  const folder = normalisePrefix(prefix);
  const base = folder === '' || folder.endsWith('/') ? folder : `${folder}/`;
  const inFolder = async <T>(rawKey: string, reserved: boolean, call: (fullKey: string) => Promise<T>): Promise<T> => {
    const key = normaliseKey(rawKey, { allowReserved: reserved });
    const fullKey = base + key;
    try {
      return await call(fullKey);
    } catch (error) {
      throw renamed(error, fullKey, key);
    }
  };
  return {
    put: (key: string, body: StorageBody, options?: PutOptions) => inFolder(key, false, async (fullKey) => stripInfo(await storage.put(fullKey, body, options), base)),
    get: (key: string) => inFolder(key, true, (fullKey) => storage.get(fullKey)),
    getText: (key: string) => inFolder(key, true, (fullKey) => storage.getText(fullKey)),
    getStream: (key: string) => inFolder(key, true, (fullKey) => storage.getStream(fullKey)),
    async list(listPrefix = '', options?: ListOptions): Promise<ListPage> {
      const relative = normalisePrefix(listPrefix);
      try {
        const page = await storage.list(base + relative, options);
        return { ...page, items: page.items.map((item) => stripInfo(item, base)) };
      } catch (error) {
        throw renamed(error, base + relative, relative);
      }
    },
    delete: (key: string) => inFolder(key, true, (fullKey) => storage.delete(fullKey)),
    stat: (key: string) =>
      inFolder(key, true, async (fullKey) => {
        const info = await storage.stat(fullKey);
        return info === undefined ? undefined : stripInfo(info, base);
      }),
    exists: (key: string) => inFolder(key, true, (fullKey) => storage.exists(fullKey)),
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
