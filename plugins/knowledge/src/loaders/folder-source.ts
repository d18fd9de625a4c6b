import { constants } from 'node:fs';
import { lstat, open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ValidationError } from '@entity/core';
import { type DocumentFormat, type DocumentSource, formatOf, type RefusedFile, type SourceFile } from './document.js';

export interface FolderSourceOptions {
  /** Largest file read, in bytes; larger ones are refused. Default: 20 MiB. */
  maxFileBytes?: number;
  /** Formats to read. Default: all (`markdown`, `text`, `html`, `pdf`). */
  formats?: readonly DocumentFormat[];
}

const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;

function isInside(root: string, path: string): boolean {
  const fromRoot = relative(root, path);
  return fromRoot === '' || (!fromRoot.startsWith(`..${sep}`) && fromRoot !== '..' && !isAbsolute(fromRoot));
}

/**
 * Reads a file that must stay inside `root` (a real path). The check is done on the real path
 * (symlinks resolved) and the file is opened by that path, so a link pointing out of the folder
 * is refused rather than followed.
 */
async function readInside(root: string, path: string, maxBytes: number): Promise<Uint8Array> {
  const real = await realpath(path);
  if (!isInside(root, real)) throw new ValidationError(`${path} leads outside ${root}; only files inside the ingested folder are read`);
  // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, holding the ingest (and a
  // libuv thread) forever; the handle's stat below then refuses it. Regular files ignore the flag.
  const handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new ValidationError(`${path} is not a regular file`);
    if (info.size > maxBytes) throw new ValidationError(`${path} is ${info.size} bytes, more than maxFileBytes (${maxBytes})`);
    return new Uint8Array(await handle.readFile());
  } finally {
    await handle.close();
  }
}

/**
 * Every Markdown, text, HTML and PDF file under `root`, recursively, in a stable (sorted) order.
 * Hidden files and folders (`.git`, `.entity`) are skipped. Symbolic links are followed only
 * when their target is inside `root`; others are refused and reported, never read.
 */
export function folderSource(root: string, options: FolderSourceOptions = {}): DocumentSource {
  if (typeof root !== 'string' || root.trim() === '') throw new ValidationError('folderSource() needs the path of a folder');
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new ValidationError('maxFileBytes must be a positive whole number of bytes');
  const formats = new Set(options.formats ?? ['markdown', 'text', 'html', 'pdf']);
  return {
    description: `folder ${root}`,
    async list() {
      let realRoot: string;
      try {
        realRoot = await realpath(root);
        if (!(await lstat(realRoot)).isDirectory()) throw new Error('not a folder');
      } catch {
        throw new ValidationError(`${root} is not a readable folder; pass the folder holding the documents to ingest`);
      }
      const files: SourceFile[] = [];
      const refused: RefusedFile[] = [];
      const visitedFolders = new Set<string>();
      const walk = async (folder: string, relativeFolder: string): Promise<void> => {
        const realFolder = await realpath(folder);
        if (visitedFolders.has(realFolder)) return; // a link back up the tree
        visitedFolders.add(realFolder);
        const entries = await readdir(folder, { withFileTypes: true });
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
          if (entry.name.startsWith('.')) continue;
          const absolute = join(folder, entry.name);
          const path = relativeFolder === '' ? entry.name : `${relativeFolder}/${entry.name}`;
          let isDirectory = entry.isDirectory();
          if (entry.isSymbolicLink()) {
            const target = await realpath(absolute).catch(() => undefined);
            if (target === undefined) {
              refused.push({ path, reason: 'broken symbolic link' });
              continue;
            }
            if (!isInside(realRoot, target)) {
              refused.push({ path, reason: `symbolic link to ${target}, outside the ingested folder` });
              continue;
            }
            isDirectory = (await lstat(target)).isDirectory();
          }
          const format = formatOf(entry.name);
          if (!isDirectory && format !== undefined && formats.has(format) && !(await stat(absolute)).isFile()) {
            refused.push({ path, reason: 'not a regular file (a FIFO, socket or device)' });
            continue;
          }
          if (isDirectory) {
            await walk(absolute, path);
            continue;
          }
          if (format === undefined || !formats.has(format)) continue;
          files.push({ path, format, read: () => readInside(realRoot, absolute, maxBytes) });
        }
      };
      await walk(realRoot, '');
      return { files, refused };
    },
  };
}

/**
 * Reads one file given relative to `root`, refusing paths that leave it (`../x`, absolute paths,
 * symbolic links to outside). For tools that load a single document a user or model named.
 */
export async function readFileInside(root: string, path: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<Uint8Array> {
  if (typeof path !== 'string' || path === '' || path.includes('\u0000')) throw new ValidationError('path must be a non-empty relative path');
  if (isAbsolute(path)) throw new ValidationError(`${path} is absolute; give a path relative to the folder`);
  const realRoot = await realpath(root);
  const written = join(realRoot, path);
  if (!isInside(realRoot, written)) throw new ValidationError(`${path} leads outside ${root}; only files inside the folder are read`);
  return readInside(realRoot, written, maxFileBytes);
}
