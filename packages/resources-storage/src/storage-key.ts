import { ConfigError, ValidationError } from '@entity/core';

/** Longest key in UTF-8 bytes: S3's limit, applied everywhere so keys move between drivers. */
export const MAX_KEY_BYTES = 1024;
/** Longest path segment in UTF-8 bytes: the limit of common file systems (ext4, APFS, NTFS). */
export const MAX_SEGMENT_BYTES = 255;
/** Folder segment under which `backupOnOverwrite` keeps previous versions; writable only by the storage itself. */
export const BACKUP_SEGMENT = '.backups';

/** Characters Windows forbids in names; refused everywhere so a key means the same on every driver. */
const FORBIDDEN_CHARACTERS = /[\\:*?"<>|]/;
/** Control characters (C0, DEL, C1) and invisible format characters such as bidi overrides and zero-width spaces. */
const INVISIBLE_CHARACTERS = /[\p{Cc}\p{Cf}\u2028\u2029]/u;
const WINDOWS_DEVICE_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
const DRIVE_LETTER = /^[a-z]:/i;

export type KeyOperation = 'put' | 'get' | 'getText' | 'getStream' | 'list' | 'delete' | 'stat' | 'exists' | 'copy';

function refuse(key: unknown, reason: string, fix: string): never {
  const shown = typeof key === 'string' ? JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key) : String(typeof key);
  throw new ValidationError(`Invalid storage key ${shown}: ${reason}. Fix: ${fix}`, {
    code: 'STORAGE_INVALID_KEY',
    safeMessage: `That file path is not allowed: ${reason}.`,
    details: { reason },
  });
}

function checkSegment(key: string, segment: string, allowReserved: boolean): void {
  if (segment === '..') refuse(key, 'it contains ".." (parent folder)', 'use a path inside the storage, e.g. "notes/todo.md"');
  if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
    refuse(key, `a path segment is longer than ${MAX_SEGMENT_BYTES} bytes`, 'shorten the file or folder name');
  }
  if (segment.startsWith('.')) {
    if (segment === BACKUP_SEGMENT && allowReserved) return;
    refuse(key, `"${segment}" is a hidden name (starts with ".")`, 'use names that start with a letter, digit, "_" or "-"');
  }
  if (segment.trim() !== segment) refuse(key, 'a path segment starts or ends with whitespace', 'remove the surrounding spaces');
  if (segment.endsWith('.')) refuse(key, 'a path segment ends with "."', 'remove the trailing dot');
  if (WINDOWS_DEVICE_NAME.test(segment)) refuse(key, `"${segment}" is a reserved device name`, 'choose another name');
}

function checkCharacters(key: string, candidate: string): void {
  if (candidate.includes('\0')) refuse(key, 'it contains a NUL byte', 'remove the NUL character');
  if (INVISIBLE_CHARACTERS.test(candidate)) {
    refuse(key, 'it contains control or invisible characters', 'use visible characters only');
  }
  if (FORBIDDEN_CHARACTERS.test(candidate)) {
    refuse(key, 'it contains one of \\ : * ? " < > |', 'use "/" to separate folders and plain letters, digits, "-", "_" or "." in names');
  }
  if (candidate.startsWith('/')) refuse(key, 'it is an absolute path', 'remove the leading "/"');
  if (DRIVE_LETTER.test(candidate)) refuse(key, 'it is an absolute path', 'remove the drive letter');
  if (candidate.startsWith('~')) refuse(key, 'it starts with "~" (home folder)', 'use a path relative to the storage root');
}

interface NormaliseOptions {
  /** Accept an empty value and a trailing "/" (list prefixes). */
  prefix?: boolean;
  /** Accept the reserved backup segment (reads, listing and deletes; never user writes). */
  allowReserved?: boolean;
}

function normalise(input: unknown, options: NormaliseOptions): string {
  if (typeof input !== 'string') refuse(input, 'it is not a string', 'pass the key as a string like "notes/todo.md"');
  const key = input.normalize('NFC');
  // Checked on the compatibility form too: full-width "．．／" must not slip past as "../".
  for (const candidate of new Set([key, key.normalize('NFKC')])) {
    checkCharacters(input, candidate);
    for (const segment of candidate.split('/')) {
      if (segment !== '' && segment !== '.') checkSegment(input, segment, options.allowReserved ?? false);
    }
  }
  const segments = key.split('/').filter((segment) => segment !== '' && segment !== '.');
  const trailingSlash = key.endsWith('/') && segments.length > 0;
  if (!options.prefix) {
    if (segments.length === 0) refuse(input, 'it is empty', 'pass a file path like "notes/todo.md"');
    if (key.endsWith('/')) refuse(input, 'it ends with "/" (a folder, not a file)', 'add a file name, e.g. "notes/todo.md"');
  }
  const normalised = segments.join('/') + (trailingSlash ? '/' : '');
  if (Buffer.byteLength(normalised) > MAX_KEY_BYTES) {
    refuse(input, `it is longer than ${MAX_KEY_BYTES} bytes`, 'use a shorter path');
  }
  return normalised;
}

/**
 * Validates and normalises an object key: NFC Unicode, `/` separators, `.` and empty segments
 * dropped. Refuses `..`, absolute paths, drive letters, NUL and control characters, invisible
 * format characters, Windows-reserved characters and names, hidden names and over-long keys,
 * with a `ValidationError` (code `STORAGE_INVALID_KEY`) that says what to do instead.
 */
export function normaliseKey(key: unknown, options: { allowReserved?: boolean } = {}): string {
  return normalise(key, { allowReserved: options.allowReserved ?? false });
}

/** Like `normaliseKey` for `list()` prefixes: empty is the whole storage and a trailing `/` is kept. */
export function normalisePrefix(prefix: unknown = ''): string {
  return normalise(prefix, { prefix: true, allowReserved: true });
}

/**
 * A folder prefix for a driver (S3's `prefix`): checked like a key, never in the backup folder,
 * normalised to exactly one trailing `/` so `agents/support` can never match `agents/support-eu/`.
 * Empty means the whole bucket; a prefix of only `.` segments is refused rather than read as
 * that. Throws a `ConfigError` naming `path` and the fix.
 */
export function normaliseFolderPrefix(prefix: string, path = 'prefix'): string {
  let folder: string;
  try {
    folder = normalise(prefix, { prefix: true });
  } catch (error) {
    const reason = ValidationError.isInstance(error) ? String(error.details?.reason ?? error.message) : String(error);
    throw new ConfigError([{ path, message: `${JSON.stringify(prefix)} is not a safe folder: ${reason}`, fix: 'use a relative folder like "agents/support/"' }], {
      cause: error,
    });
  }
  if (folder === '' && prefix !== '') {
    // "." and "./" normalise to nothing; taking that as the whole bucket would be a silent surprise.
    throw new ConfigError([
      {
        path,
        message: `${JSON.stringify(prefix)} names no folder (only "." segments), so it would mean the whole bucket`,
        fix: `name a folder like "agents/support/"; for the whole bucket leave ${path} out (or set it to "")`,
      },
    ]);
  }
  return folder === '' || folder.endsWith('/') ? folder : `${folder}/`;
}

/** Whether a normalised key lies in a backup folder. */
export function isBackupKey(key: string): boolean {
  return key.split('/').includes(BACKUP_SEGMENT);
}

/** Lower-case extension of the key's last segment including the dot (`.md`), or `''` when it has none. */
export function keyExtension(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

/** Orders keys by Unicode code point, which is the UTF-8 byte order S3 lists in. */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const left = a.codePointAt(index) ?? 0;
    const right = b.codePointAt(index) ?? 0;
    if (left !== right) return left - right;
    if (left > 0xffff) index++;
  }
  return a.length - b.length;
}
