import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Storage } from '@entity/core';
import { ValidationError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import type { StorageOptions } from '../storage-options.js';
import { NASTY_KEYS } from './nasty-keys.js';

/** Makes a fresh, empty storage with the given safety options; called once per test. */
export type StorageFactory = (options?: StorageOptions) => Promise<Storage> | Storage;

async function listAll(storage: Storage, prefix = '', limit = 1000): Promise<string[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await storage.list(prefix, { limit, ...(cursor === undefined ? {} : { cursor }) });
    keys.push(...page.items.map((item) => item.key));
    cursor = page.cursor;
    if (cursor === undefined) return keys;
  }
  throw new Error('list() never stopped returning cursors');
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<ValidationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(ValidationError.isInstance(error), `expected a ValidationError ${code}, got ${String(error)}`).toBe(true);
  expect((error as ValidationError).code).toBe(code);
  return error as ValidationError;
}

/**
 * The behaviour every `Storage` must share, as one Vitest suite. Call it from a driver's test
 * file with a factory that returns a fresh, empty storage for each test:
 *
 * ```ts
 * describeStorageConformance('memory', (options) => inMemoryStorage(options));
 * ```
 */
export function describeStorageConformance(name: string, factory: StorageFactory): void {
  describe(`Storage conformance: ${name}`, () => {
    describe('reading and writing', () => {
      it('round-trips text, reports what it stored and guesses the content type', async () => {
        const storage = await factory();
        const info = await storage.put('notes/todo.md', '# Todo\n- ship ✓');
        expect(info).toMatchObject({ key: 'notes/todo.md', size: Buffer.byteLength('# Todo\n- ship ✓') });
        expect(info.lastModified).toBeInstanceOf(Date);
        expect(await storage.getText('notes/todo.md')).toBe('# Todo\n- ship ✓');
        expect((await storage.stat('notes/todo.md'))?.contentType).toMatch(/^text\/markdown/);
        expect(await storage.exists('notes/todo.md')).toBe(true);
      });

      it('round-trips every byte value exactly', async () => {
        const storage = await factory();
        const bytes = new Uint8Array(256 * 4).map((_, index) => index % 256);
        await storage.put('data/bytes.log', bytes);
        expect(Buffer.from((await storage.get('data/bytes.log'))!)).toEqual(Buffer.from(bytes));
        expect(await readAll((await storage.getStream('data/bytes.log'))!)).toEqual(Buffer.from(bytes));
      });

      it('stores an empty object as empty, not missing', async () => {
        const storage = await factory();
        expect((await storage.put('empty.txt', '')).size).toBe(0);
        const bytes = await storage.get('empty.txt');
        expect(bytes).toBeInstanceOf(Uint8Array);
        expect(bytes?.byteLength).toBe(0);
        expect(await storage.getText('empty.txt')).toBe('');
        expect((await storage.stat('empty.txt'))?.size).toBe(0);
      });

      it('accepts Node Readable streams and async iterables of bytes', async () => {
        const storage = await factory();
        const parts = [randomBytes(70_000), randomBytes(1), randomBytes(130_001)];
        const whole = Buffer.concat(parts);
        expect((await storage.put('stream/readable.csv', Readable.from(parts))).size).toBe(whole.length);
        async function* generate() {
          for (const part of parts) yield new Uint8Array(part);
        }
        expect((await storage.put('stream/iterable.csv', generate())).size).toBe(whole.length);
        expect(sha((await storage.get('stream/readable.csv'))!)).toBe(sha(whole));
        expect(sha(await readAll((await storage.getStream('stream/iterable.csv'))!))).toBe(sha(whole));
      });

      it('answers undefined / false for a missing key on every read', async () => {
        const storage = await factory();
        expect(await storage.get('missing.txt')).toBeUndefined();
        expect(await storage.getText('missing/deep/file.txt')).toBeUndefined();
        expect(await storage.getStream('missing.txt')).toBeUndefined();
        expect(await storage.stat('missing.txt')).toBeUndefined();
        expect(await storage.exists('missing.txt')).toBe(false);
        expect(await storage.delete('missing.txt')).toBe(false);
      });

      it('keeps an explicit content type and metadata', async () => {
        const storage = await factory();
        await storage.put('report.json', '{"ok":true}', { contentType: 'application/vnd.api+json', metadata: { Author: 'ada', 'run-id': 'r1' } });
        const info = await storage.stat('report.json');
        expect(info).toMatchObject({ key: 'report.json', size: 11, contentType: 'application/vnd.api+json' });
        expect(info?.metadata).toEqual({ author: 'ada', 'run-id': 'r1' });
      });

      it('replaces an object on overwrite and deletes it', async () => {
        const storage = await factory();
        await storage.put('a.txt', 'first version');
        await storage.put('a.txt', 'second');
        expect(await storage.getText('a.txt')).toBe('second');
        expect((await storage.stat('a.txt'))?.size).toBe(6);
        expect(await storage.delete('a.txt')).toBe(true);
        expect(await storage.exists('a.txt')).toBe(false);
        expect(await storage.delete('a.txt')).toBe(false);
      });

      it('normalises keys: duplicate slashes, "." segments and Unicode form', async () => {
        const storage = await factory();
        const info = await storage.put('a//b/./c.txt', 'x');
        expect(info.key).toBe('a/b/c.txt');
        expect(await storage.getText('a/b/c.txt')).toBe('x');
        await storage.put('cafe\u0301.txt', 'decomposed');
        expect(await storage.getText('caf\u00e9.txt')).toBe('decomposed');
        expect(await listAll(storage)).toEqual(['a/b/c.txt', 'caf\u00e9.txt']);
      });

      it('last writer wins with concurrent writers to one key, and no write is torn', async () => {
        const storage = await factory();
        const bodies = Array.from({ length: 6 }, (_, index) => Buffer.alloc(300_000 + index * 1000, 65 + index));
        await Promise.all(bodies.map((body, index) => (index % 2 === 0 ? storage.put('race.txt', body) : storage.put('race.txt', Readable.from([body])))));
        const final = Buffer.from((await storage.get('race.txt'))!);
        const winner = bodies.find((body) => body.length === final.length);
        expect(winner, 'the final object has the length of one of the writes').toBeDefined();
        expect(final.equals(winner!), 'the final object is exactly one write, not a mix').toBe(true);
      });
    });

    describe('listing', () => {
      it('lists keys under a prefix in code-point order', async () => {
        const storage = await factory();
        for (const key of ['b.txt', 'a/x.txt', 'a-b.txt', 'a.txt', 'a/y/z.txt', 'c/d.txt']) await storage.put(key, key);
        expect(await listAll(storage)).toEqual(['a-b.txt', 'a.txt', 'a/x.txt', 'a/y/z.txt', 'b.txt', 'c/d.txt']);
        expect(await listAll(storage, 'a/')).toEqual(['a/x.txt', 'a/y/z.txt']);
        expect(await listAll(storage, 'a')).toEqual(['a-b.txt', 'a.txt', 'a/x.txt', 'a/y/z.txt']);
        expect(await listAll(storage, 'nothing/')).toEqual([]);
        const page = await storage.list('c/');
        expect(page.items[0]).toMatchObject({ key: 'c/d.txt', size: 7 });
        expect(page.items[0]?.lastModified).toBeInstanceOf(Date);
        expect(page.cursor).toBeUndefined();
      });

      it('pages through results with a cursor, without gaps or repeats', async () => {
        const storage = await factory();
        const keys = Array.from({ length: 7 }, (_, index) => `p/file-${index}.txt`);
        for (const key of keys) await storage.put(key, 'x');
        const first = await storage.list('p/', { limit: 3 });
        expect(first.items.map((item) => item.key)).toEqual(keys.slice(0, 3));
        expect(first.cursor).toBeTypeOf('string');
        expect(await listAll(storage, 'p/', 3)).toEqual(keys);
        expect(await listAll(storage, 'p/', 7)).toEqual(keys);
      });

      it('refuses limits outside 1..1000', async () => {
        const storage = await factory();
        await expectCode(storage.list('', { limit: 0 }), 'STORAGE_INVALID_LIST_OPTIONS');
        await expectCode(storage.list('', { limit: 1001 }), 'STORAGE_INVALID_LIST_OPTIONS');
      });
    });

    describe('safety', () => {
      it(`refuses ${NASTY_KEYS.length} nasty keys on put, before writing anything`, async () => {
        const storage = await factory({ allowedExtensions: '*' });
        for (const { key, why } of NASTY_KEYS) {
          const error = await storage.put(key as string, 'payload').then(
            () => undefined,
            (caught: unknown) => caught,
          );
          expect(ValidationError.isInstance(error), `put ${JSON.stringify(key)} (${why}) must be refused`).toBe(true);
          expect((error as ValidationError).code, why).toMatch(/^STORAGE_INVALID_KEY$/);
        }
        expect(await listAll(storage)).toEqual([]);
      });

      it('refuses the same keys on get, stat, exists, getStream and delete', async () => {
        const storage = await factory();
        for (const { key, why, readable } of NASTY_KEYS) {
          if (readable) continue;
          for (const operation of ['get', 'getText', 'stat', 'exists', 'getStream', 'delete'] as const) {
            const error = await storage[operation](key as string).then(
              () => undefined,
              (caught: unknown) => caught,
            );
            expect(ValidationError.isInstance(error), `${operation} ${JSON.stringify(key)} (${why}) must be refused`).toBe(true);
          }
        }
        await expectCode(storage.list('../'), 'STORAGE_INVALID_KEY');
        await expectCode(storage.list('/etc'), 'STORAGE_INVALID_KEY');
      });

      it('names the key and says what to do in key errors', async () => {
        const storage = await factory();
        const error = await expectCode(storage.put('../secret.txt', 'x'), 'STORAGE_INVALID_KEY');
        expect(error.message).toContain('"../secret.txt"');
        expect(error.message).toMatch(/Fix: /);
      });

      it('enforces maxFileSize before writing, for bytes and for streams', async () => {
        const storage = await factory({ maxFileSize: 1024 });
        await storage.put('keep.txt', 'original');
        await storage.put('exact.txt', Buffer.alloc(1024, 1));
        const tooLarge = await expectCode(storage.put('big.txt', Buffer.alloc(1025)), 'STORAGE_FILE_TOO_LARGE');
        expect(tooLarge.message).toContain('"big.txt"');
        await expectCode(storage.put('big-stream.txt', Readable.from([Buffer.alloc(600), Buffer.alloc(600)])), 'STORAGE_FILE_TOO_LARGE');
        await expectCode(storage.put('keep.txt', Readable.from([Buffer.alloc(1000), Buffer.alloc(1000)])), 'STORAGE_FILE_TOO_LARGE');
        expect(await storage.exists('big.txt')).toBe(false);
        expect(await storage.exists('big-stream.txt')).toBe(false);
        expect(await storage.getText('keep.txt')).toBe('original');
        expect(await listAll(storage)).toEqual(['exact.txt', 'keep.txt']);
      });

      it('accepts sizes written like "2 KB"', async () => {
        const storage = await factory({ maxFileSize: '2 KB' });
        await storage.put('ok.txt', Buffer.alloc(2048));
        await expectCode(storage.put('no.txt', Buffer.alloc(2049)), 'STORAGE_FILE_TOO_LARGE');
      });

      it('enforces allowedExtensions on writes only', async () => {
        const storage = await factory();
        for (const key of ['run.exe', 'script.sh', 'page.html', 'Makefile', 'archive.tar.gz']) {
          await expectCode(storage.put(key, 'x'), 'STORAGE_EXTENSION_NOT_ALLOWED');
        }
        await storage.put('LOUD.TXT', 'upper-case extensions are fine');
        for (const extension of ['.txt', '.json', '.csv', '.md', '.yaml', '.yml', '.log']) await storage.put(`file${extension}`, 'x');
        expect(await listAll(storage)).toHaveLength(8);
        const custom = await factory({ allowedExtensions: ['png', '.PDF'] });
        await custom.put('image.png', new Uint8Array([137, 80, 78, 71]));
        await custom.put('doc.pdf', '%PDF');
        await expectCode(custom.put('notes.txt', 'x'), 'STORAGE_EXTENSION_NOT_ALLOWED');
        const open = await factory({ allowedExtensions: '*' });
        await open.put('Makefile', 'all:');
        expect(await open.getText('Makefile')).toBe('all:');
      });

      it('refuses invalid metadata and content types', async () => {
        const storage = await factory();
        await expectCode(storage.put('m.txt', 'x', { metadata: { 'bad name': 'v' } }), 'STORAGE_INVALID_METADATA');
        await expectCode(storage.put('m.txt', 'x', { metadata: { ok: 'line\r\nX-Injected: 1' } }), 'STORAGE_INVALID_METADATA');
        await expectCode(storage.put('m.txt', 'x', { metadata: { big: 'v'.repeat(3000) } }), 'STORAGE_INVALID_METADATA');
        await expectCode(storage.put('m.txt', 'x', { contentType: 'text/plain\r\nX-Evil: 1' }), 'STORAGE_INVALID_METADATA');
        expect(await storage.exists('m.txt')).toBe(false);
      });

      it('leaves nothing behind when the source stream fails', async () => {
        const storage = await factory();
        await storage.put('stable.txt', 'v1');
        async function* failing() {
          yield Buffer.alloc(100_000, 1);
          throw new Error('source broke');
        }
        await expect(storage.put('stable.txt', failing())).rejects.toThrow('source broke');
        await expect(storage.put('new.txt', failing())).rejects.toThrow('source broke');
        expect(await storage.getText('stable.txt')).toBe('v1');
        expect(await listAll(storage)).toEqual(['stable.txt']);
      });
    });

    describe('backupOnOverwrite', () => {
      it('keeps the previous version in the folder\'s .backups, readable but not writable', async () => {
        const storage = await factory({ backupOnOverwrite: true });
        await storage.put('docs/plan.md', 'v1');
        expect(await listAll(storage)).toEqual(['docs/plan.md']);
        await storage.put('docs/plan.md', 'v2');
        await storage.put('docs/plan.md', 'v3');
        const backups = await listAll(storage, 'docs/.backups/');
        expect(backups).toHaveLength(2);
        for (const backup of backups) expect(backup).toMatch(/^docs\/\.backups\/plan\.\d{8}T\d{9}Z-[0-9a-f]{6}\.md$/);
        expect((await Promise.all(backups.map((backup) => storage.getText(backup)))).sort()).toEqual(['v1', 'v2']);
        expect(await storage.getText('docs/plan.md')).toBe('v3');
        await expectCode(storage.put(backups[0]!, 'forged'), 'STORAGE_INVALID_KEY');
        expect(await storage.delete(backups[0]!)).toBe(true);
      });

      it('keeps only the newest maxBackups backups of each file (default 5)', async () => {
        const storage = await factory({ backupOnOverwrite: true, maxBackups: 2 });
        // A file whose name starts like the other's: its backups are its own, never pruned for plan.md.
        await storage.put('docs/plan.v2.md', 'other v1');
        await storage.put('docs/plan.v2.md', 'other v2');
        for (let version = 1; version <= 5; version++) await storage.put('docs/plan.md', `v${version}`);
        const backups = (await listAll(storage, 'docs/.backups/')).filter((key) => !key.includes('plan.v2.'));
        expect((await Promise.all(backups.map((backup) => storage.getText(backup)))).sort()).toEqual(['v3', 'v4']);
        const other = (await listAll(storage, 'docs/.backups/')).filter((key) => key.includes('plan.v2.'));
        expect(await Promise.all(other.map((backup) => storage.getText(backup)))).toEqual(['other v1']);
        expect(await storage.getText('docs/plan.md')).toBe('v5');

        const defaults = await factory({ backupOnOverwrite: true });
        for (let version = 1; version <= 8; version++) await defaults.put('notes.md', `v${version}`);
        const kept = await listAll(defaults, '.backups/');
        expect((await Promise.all(kept.map((backup) => defaults.getText(backup)))).sort()).toEqual(['v3', 'v4', 'v5', 'v6', 'v7']);
      });

      it('makes no backup when the overwrite is refused', async () => {
        const storage = await factory({ backupOnOverwrite: true, maxFileSize: 100 });
        await storage.put('small.txt', 'v1');
        await expectCode(storage.put('small.txt', Readable.from([Buffer.alloc(80), Buffer.alloc(80)])), 'STORAGE_FILE_TOO_LARGE');
        expect(await listAll(storage)).toEqual(['small.txt']);
        expect(await storage.getText('small.txt')).toBe('v1');
      });
    });
  });
}
