import { definePlugin, defineTool, type Plugin, type Storage, type Tool, type ToolContext } from '@entity/core';
import { z } from 'zod';
import { checkQuota, type FileQuota, oneAtATime, resolveQuota } from './file-quota.js';
import { normaliseFolderPrefix, normaliseKey } from './storage-key.js';
import { scopedStorage, userPrefix } from './scoped-storage.js';

export interface FileToolsOptions {
  /** Name of the storage resource the tools use. Default: `storage`. */
  resource?: string;
  /**
   * Whose files the model sees: `'user'` confines each call to the calling user's folder
   * (`users/<id>/`); a string confines every user to that shared folder. Default: `'user'`.
   */
  scope?: 'user' | { folder: string };
  /** Most bytes `read_file` returns; longer files come back truncated with `truncated: true`. Default: 64 KB. */
  maxReadBytes?: number;
  /** Include `write_file`. Default: true. */
  allowWrite?: boolean;
  /**
   * Most bytes and files one scope (each user, or the shared folder) may hold, backups included;
   * `write_file` refuses a write that would pass either and changes nothing. Default:
   * `DEFAULT_FILE_QUOTA` (100 MB and 1,000 files). Keep backups bounded with the storage's `maxBackups`.
   */
  quota?: FileQuota;
}

const path = z.string().min(1).max(1024).describe('File path relative to your files, using "/" between folders, e.g. "notes/todo.md"');

async function readPrefix(storage: Storage, key: string, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean } | undefined> {
  const stream = await storage.getStream(key);
  if (stream === undefined) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      if (total + buffer.byteLength > maxBytes) {
        chunks.push(buffer.subarray(0, maxBytes - total));
        truncated = true;
        break;
      }
      chunks.push(buffer);
      total += buffer.byteLength;
    }
  } finally {
    stream.destroy();
  }
  return { bytes: Buffer.concat(chunks), truncated };
}

function looksBinary(bytes: Buffer): boolean {
  return bytes.includes(0);
}

/**
 * `read_file`, `write_file` and `list_files` over the storage resource, for a model to use.
 * Every call is confined to the calling user's folder (or one shared folder), every path goes
 * through the storage's key checks and limits, and writes stay within a per-scope quota, so a
 * model can neither escape its folder nor fill the disk.
 */
// biome-ignore lint/suspicious/noExplicitAny: tools with different inputs share one list, like core's Plugin.tools.
export function fileTools(options: FileToolsOptions = {}): Tool<any, unknown>[] {
  const resourceName = options.resource ?? 'storage';
  const scope = options.scope ?? 'user';
  const maxReadBytes = options.maxReadBytes ?? 64 * 1024;
  const quota = resolveQuota(options.quota);
  const sharedFolder = scope === 'user' ? undefined : normaliseFolderPrefix(scope.folder, 'scope.folder');
  const scopeOf = (context: ToolContext) => {
    const base = context.resource<Storage>(resourceName);
    const folder = sharedFolder ?? userPrefix(context.userId);
    return { base, folder, storage: scopedStorage(base, folder) };
  };
  const storageFor = (context: ToolContext): Storage => scopeOf(context).storage;

  const readFile = defineTool({
    name: 'read_file',
    description: `Read a text file from your files. Returns its content (at most ${maxReadBytes} bytes; "truncated" tells when there is more).`,
    input: z.object({ path }).strict(),
    async execute({ path: key }, context) {
      const storage = storageFor(context);
      const read = await readPrefix(storage, key, maxReadBytes);
      if (read === undefined) return { path: key, found: false, message: `No file at "${key}". Use list_files to see what exists.` };
      if (looksBinary(read.bytes)) return { path: key, found: true, binary: true, message: 'This is a binary file; it cannot be shown as text.' };
      let content = read.bytes.toString('utf8');
      // A cut in the middle of a multi-byte character decodes to U+FFFD; drop it rather than show garbage.
      if (read.truncated) content = content.replace(/\uFFFD+$/, '');
      return { path: key, found: true, content, truncated: read.truncated };
    },
  });

  const writeFile = defineTool({
    name: 'write_file',
    description: 'Create or replace a text file in your files. Allowed types depend on the storage settings (by default .txt .json .csv .md .yaml .yml .log).',
    input: z.object({ path, content: z.string().describe('The whole new content of the file') }).strict(),
    async execute({ path: key, content }, context) {
      const { base, folder, storage } = scopeOf(context);
      const backsUp = (base as { limits?: { backupOnOverwrite?: boolean } }).limits?.backupOnOverwrite === true;
      // Check and write as one step per scope, so parallel calls cannot share the last free room.
      const info = await oneAtATime(resourceName, folder, async () => {
        await checkQuota(storage, normaliseKey(key), Buffer.byteLength(content), quota, backsUp);
        return storage.put(key, content, { signal: context.signal });
      });
      return { path: info.key, size: info.size, saved: true };
    },
  });

  const listFiles = defineTool({
    name: 'list_files',
    description: 'List your files, optionally under a folder or name prefix. Pass the returned cursor to get the next page.',
    input: z
      .object({
        prefix: z.string().max(1024).optional().describe('Only paths starting with this, e.g. "notes/"'),
        cursor: z.string().min(1).optional().describe('The cursor from the previous page'),
        limit: z.number().int().min(1).max(200).optional().describe('Entries per page (default 50)'),
      })
      .strict(),
    async execute({ prefix, cursor, limit }, context) {
      const page = await storageFor(context).list(prefix ?? '', { limit: limit ?? 50, ...(cursor === undefined ? {} : { cursor }) });
      return {
        files: page.items.map((item) => ({ path: item.key, size: item.size, modified: item.lastModified.toISOString() })),
        ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
      };
    },
  });

  return options.allowWrite === false ? [readFile, listFiles] : [readFile, writeFile, listFiles];
}

/** A tool plugin registering `fileTools()`; needs a `storage` resource (or the one named in options). */
export function filesPlugin(options: FileToolsOptions = {}): Plugin {
  return definePlugin({
    name: 'files',
    kind: 'tool',
    dependencies: [options.resource ?? 'storage'],
    description: 'Lets the model read, write and list files in its own storage folder',
    tools: fileTools(options),
  });
}
