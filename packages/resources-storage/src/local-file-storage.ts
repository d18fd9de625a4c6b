import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { copyFile, type FileHandle, mkdir, open, readFile, realpath, rename, stat as statPath, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ListPage, StorageObjectInfo } from '@entity/core';
import { readBounded, readTooLarge } from './body.js';
import { guessContentType } from './content-type.js';
import { createStorage, type ManagedStorage } from './create-storage.js';
import { walkSorted } from './local-list.js';
import { escapeError, isInside, resolveEntry, resolveExistingFile } from './local-paths.js';
import { sweepStaleTempFiles } from './local-sweep.js';
import type { DriverFailure, DriverPutRequest, StorageDriver } from './storage-driver.js';
import type { StorageOptions } from './storage-options.js';

/** Default root of the local driver, relative to the working directory at creation time. */
export const DEFAULT_LOCAL_ROOT = './agent_files';
/** Hidden folder (next to the files) holding content types and metadata the file system cannot. */
const METADATA_FOLDER = '.meta';

export interface LocalFileStorageOptions extends StorageOptions {
  /** Folder holding the files; created when missing. Default: `./agent_files` (resolved once, at creation). */
  root?: string;
  /**
   * Flush each file to disk (fsync) before it replaces the previous version, so a power cut
   * cannot leave an empty file behind a completed write. Default: true.
   */
  durable?: boolean;
  /**
   * At start, remove temp files left by crashed writers once older than this many ms, or `false`
   * to keep them. Default: 1 hour.
   */
  staleTempFileMs?: number | false;
}

/** Content type and metadata kept beside a file; valid only for the exact file it was written for. */
interface Sidecar {
  ino: number;
  size: number;
  mtimeMs: number;
  contentType: string;
  metadata?: Record<string, string>;
}

const FAILURES: Readonly<Record<string, Omit<DriverFailure, 'reason'> & { reason: string }>> = {
  EISDIR: { reason: 'a folder exists where the file should be', retryable: false, conflict: true },
  ENOTDIR: { reason: 'a file exists where a folder should be', retryable: false, conflict: true },
  ENOTEMPTY: { reason: 'a folder exists where the file should be', retryable: false, conflict: true },
  EEXIST: { reason: 'a file exists where a folder should be', retryable: false, conflict: true },
  ENOSPC: { reason: 'no space left on the device', retryable: false },
  EDQUOT: { reason: 'disk quota exceeded', retryable: false },
  EACCES: { reason: 'permission denied', retryable: false },
  EPERM: { reason: 'operation not permitted', retryable: false },
  EROFS: { reason: 'the file system is read-only', retryable: false },
  ENAMETOOLONG: { reason: 'the path is too long for this file system', retryable: false, conflict: true },
  EMFILE: { reason: 'too many open files', retryable: true },
  ENFILE: { reason: 'too many open files', retryable: true },
  EBUSY: { reason: 'the file is busy', retryable: true },
  EAGAIN: { reason: 'the file system is temporarily unavailable', retryable: true },
  EIO: { reason: 'input/output error', retryable: true },
  // A folder removed between creating it and writing into it: trying again recreates it.
  ENOENT: { reason: 'a folder disappeared during the write', retryable: true },
};

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function etagOf(stats: Stats): string {
  return `"${stats.ino.toString(16)}-${stats.size.toString(16)}-${Math.round(stats.mtimeMs * 1000).toString(16)}"`;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset, null);
    offset += bytesWritten;
  }
}

/** A driver storing each key as a file under `root`, written atomically (temp file, then rename). */
export function localFileDriver(
  options: { root?: string; durable?: boolean; staleTempFileMs?: number | false } = {},
): StorageDriver & { readonly root: string } {
  const root = resolve(options.root ?? DEFAULT_LOCAL_ROOT);
  const durable = options.durable ?? true;
  const staleTempFileMs = options.staleTempFileMs ?? 60 * 60 * 1000;
  let realRoot: Promise<string> | undefined;
  const ready = (): Promise<string> => {
    realRoot ??= mkdir(root, { recursive: true })
      .then(() => realpath(root))
      .catch((error: unknown) => {
        realRoot = undefined;
        throw error;
      });
    return realRoot;
  };

  const sidecarPath = (folder: string, name: string) => join(folder, METADATA_FOLDER, name);

  const readSidecar = async (folder: string, name: string, stats: Stats): Promise<Sidecar | undefined> => {
    try {
      const sidecar = JSON.parse(await readFile(sidecarPath(folder, name), 'utf8')) as Sidecar;
      // A sidecar left by an older or concurrent write describes another file: ignore it.
      return sidecar.ino === stats.ino && sidecar.size === stats.size && sidecar.mtimeMs === stats.mtimeMs ? sidecar : undefined;
    } catch {
      return undefined;
    }
  };

  const infoOf = async (key: string, folder: string, name: string, stats: Stats): Promise<StorageObjectInfo> => {
    const sidecar = await readSidecar(folder, name, stats);
    return {
      key,
      size: stats.size,
      contentType: sidecar?.contentType ?? guessContentType(key),
      lastModified: stats.mtime,
      etag: etagOf(stats),
      ...(sidecar?.metadata ? { metadata: sidecar.metadata } : {}),
    };
  };

  /** Moves a finished temp file over the key: the one step that makes a write visible, atomically. */
  const commit = async (temp: string, folder: string, name: string, stats: Stats, contentType: string, metadata?: Record<string, string>) => {
    const sidecarFile = sidecarPath(folder, name);
    if (contentType !== guessContentType(name) || metadata !== undefined) {
      const sidecar: Sidecar = { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, contentType, ...(metadata ? { metadata } : {}) };
      await mkdir(join(folder, METADATA_FOLDER), { recursive: true });
      const sidecarTemp = `${sidecarFile}.${randomBytes(6).toString('hex')}.tmp`;
      await writeFile(sidecarTemp, JSON.stringify(sidecar), { flag: 'wx' });
      await rename(sidecarTemp, sidecarFile);
    } else {
      await unlink(sidecarFile).catch(() => undefined);
    }
    await rename(temp, join(folder, name));
  };

  const openTemp = async (folder: string) => {
    const temp = join(folder, `.tmp-${process.pid}-${randomBytes(8).toString('hex')}`);
    return { temp, handle: await open(temp, 'wx', 0o644) };
  };

  return {
    name: 'local',
    root,
    async put(request: DriverPutRequest): Promise<StorageObjectInfo> {
      const base = await ready();
      const { folder, name } = (await resolveEntry(base, request.key, 'put', { create: true }))!;
      const { temp, handle } = await openTemp(folder);
      try {
        if (request.body instanceof Uint8Array) {
          await writeAll(handle, request.body);
        } else {
          for await (const chunk of request.body) {
            if (request.signal.aborted) throw request.signal.reason;
            await writeAll(handle, chunk);
          }
        }
        if (durable) await handle.sync();
        const stats = await handle.stat();
        await handle.close();
        await commit(temp, folder, name, stats, request.contentType, request.metadata);
        return {
          key: request.key,
          size: stats.size,
          contentType: request.contentType,
          lastModified: stats.mtime,
          etag: etagOf(stats),
          ...(request.metadata ? { metadata: request.metadata } : {}),
        };
      } catch (error) {
        await handle.close().catch(() => undefined);
        await unlink(temp).catch(() => undefined);
        throw error;
      }
    },
    async get(key, _signal, maxBytes) {
      const path = await resolveExistingFile(await ready(), key, 'get');
      if (path === undefined) return undefined;
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (handle === undefined) return undefined;
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) return undefined;
        if (stats.size > maxBytes) throw readTooLarge(key, maxBytes, stats.size);
        // Read with the limit too: the file may grow between stat and read.
        return await readBounded(handle.createReadStream({ autoClose: false, highWaterMark: 256 * 1024 }), key, maxBytes);
      } finally {
        await handle.close();
      }
    },
    async getStream(key) {
      const path = await resolveExistingFile(await ready(), key, 'getStream');
      if (path === undefined) return undefined;
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (handle === undefined) return undefined;
      if (!(await handle.stat()).isFile()) {
        await handle.close();
        return undefined;
      }
      return handle.createReadStream({ highWaterMark: 256 * 1024 });
    },
    async list(prefix, page): Promise<ListPage> {
      const base = await ready();
      const slash = prefix.lastIndexOf('/');
      const folderKey = prefix.slice(0, slash + 1);
      let start = base;
      if (folderKey !== '') {
        const resolved = await resolveEntry(base, `${folderKey}x`, 'list');
        if (resolved === undefined) return { items: [] };
        start = resolved.folder;
      }
      const items: StorageObjectInfo[] = [];
      let more = false;
      for await (const file of walkSorted(base, start, folderKey, prefix, page.cursor)) {
        if (items.length === page.limit) {
          more = true;
          break;
        }
        const stats = await statPath(file.path).catch(() => undefined);
        if (stats?.isFile()) {
          items.push({ key: file.key, size: stats.size, contentType: undefined, lastModified: stats.mtime, etag: etagOf(stats) });
        }
      }
      const last = items.at(-1);
      return more && last ? { items, cursor: last.key } : { items };
    },
    async delete(key) {
      const base = await ready();
      const resolved = await resolveEntry(base, key, 'delete');
      if (resolved === undefined) return false;
      const path = await resolveExistingFile(base, key, 'delete');
      if (path === undefined) return false;
      try {
        await unlink(resolved.entry);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return false;
        if (errorCode(error) === 'EISDIR' || errorCode(error) === 'EPERM') return false;
        throw error;
      }
      await unlink(sidecarPath(resolved.folder, resolved.name)).catch(() => undefined);
      return true;
    },
    async stat(key) {
      const base = await ready();
      const resolved = await resolveEntry(base, key, 'stat');
      const path = resolved && (await resolveExistingFile(base, key, 'stat'));
      if (resolved === undefined || path === undefined) return undefined;
      const stats = await statPath(path).catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') return undefined;
        throw error;
      });
      if (!stats?.isFile()) return undefined;
      return infoOf(key, resolved.folder, resolved.name, stats);
    },
    async copy(from, to) {
      const base = await ready();
      const source = await resolveExistingFile(base, from, 'copy');
      if (source === undefined) throw Object.assign(new Error('source file disappeared'), { code: 'ENOENT' });
      const sourceEntry = (await resolveEntry(base, from, 'copy'))!;
      const { folder, name } = (await resolveEntry(base, to, 'copy', { create: true }))!;
      if (!isInside(base, folder)) throw escapeError('copy', to);
      const { temp, handle } = await openTemp(folder);
      await handle.close();
      try {
        await copyFile(source, temp, constants.COPYFILE_FICLONE);
        const stats = await statPath(temp);
        const sourceStats = await statPath(source);
        const sidecar = await readSidecar(sourceEntry.folder, sourceEntry.name, sourceStats);
        await commit(temp, folder, name, stats, sidecar?.contentType ?? guessContentType(to), sidecar?.metadata);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
    },
    describeError(error: unknown): DriverFailure {
      const code = errorCode(error);
      const known = code === undefined ? undefined : FAILURES[code];
      return known ?? { reason: code ?? 'unexpected file system error', retryable: false };
    },
    async start(context) {
      const base = await ready();
      if (staleTempFileMs === false) return;
      const removed = await sweepStaleTempFiles(base, staleTempFileMs);
      if (removed > 0) context.log?.info?.(`removed ${removed} temp file(s) left by interrupted writes`, { resource: context.name });
    },
    async healthCheck() {
      try {
        await ready();
        return { healthy: true, message: `local storage at ${root} is writable` };
      } catch (error) {
        return { healthy: false, message: `local storage root ${root} cannot be created (${errorCode(error) ?? 'error'}); check the path and its permissions` };
      }
    },
  };
}

/** Files under a folder on this machine (default `./agent_files`): the zero-config storage. */
export function localFileStorage(options: LocalFileStorageOptions = {}): ManagedStorage & { readonly root: string } {
  const { root, durable, staleTempFileMs, ...safety } = options;
  const driver = localFileDriver({
    ...(root === undefined ? {} : { root }),
    ...(durable === undefined ? {} : { durable }),
    ...(staleTempFileMs === undefined ? {} : { staleTempFileMs }),
  });
  return Object.assign(createStorage(driver, safety, { fixed: { root, durable, staleTempFileMs } }), { root: driver.root });
}

/**
 * The storage an agent gets when none is configured: local files under `./agent_files`.
 * `baseDir` (the config file's folder, from the agent) is where that relative root starts;
 * default: the working directory.
 */
export function defaultStorage(options: StorageOptions & { baseDir?: string } = {}): ManagedStorage & { readonly root: string } {
  const { baseDir, ...rest } = options;
  return localFileStorage(baseDir === undefined ? rest : { ...rest, root: resolve(baseDir, DEFAULT_LOCAL_ROOT) });
}
