import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ValidationError } from '@entity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOCAL_ROOT, defaultStorage, localFileStorage } from '../src/index.js';
import { spawnScript } from './support/child.js';
import { memoryLogger, startContext } from './support/start-context.js';

const base = mkdtempSync(join(tmpdir(), 'entity-storage-local-driver-'));
let counter = 0;
afterAll(() => rmSync(base, { recursive: true, force: true }));

function freshRoot(): string {
  const root = join(base, `r${++counter}`);
  mkdirSync(root, { recursive: true });
  return root;
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('localFileStorage on disk', () => {
  it('defaults to ./agent_files, resolved when created', () => {
    expect(DEFAULT_LOCAL_ROOT).toBe('./agent_files');
    expect(defaultStorage().root).toBe(join(process.cwd(), 'agent_files'));
    expect(localFileStorage({ root: 'relative/place' }).root).toBe(join(process.cwd(), 'relative/place'));
  });

  it('stores keys as plain files under the root, creating the root and folders on demand', async () => {
    const root = join(freshRoot(), 'not-yet');
    const storage = localFileStorage({ root });
    await storage.put('reports/2025/summary.md', '# Summary');
    expect(readFileSync(join(root, 'reports/2025/summary.md'), 'utf8')).toBe('# Summary');
    expect((await storage.healthCheck()).healthy).toBe(true);
  });

  it('refuses symlinks that lead outside the root, on every operation', async () => {
    const root = freshRoot();
    const outside = join(base, `outside-${counter}`);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'top secret');
    symlinkSync(outside, join(root, 'escape'));
    symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
    const storage = localFileStorage({ root });
    for (const [operation, call] of [
      ['get', () => storage.get('escape/secret.txt')],
      ['get', () => storage.get('secret-link.txt')],
      ['getStream', () => storage.getStream('secret-link.txt')],
      ['stat', () => storage.stat('escape/secret.txt')],
      ['exists', () => storage.exists('secret-link.txt')],
      ['delete', () => storage.delete('escape/secret.txt')],
      ['delete', () => storage.delete('secret-link.txt')],
      ['put', () => storage.put('escape/new.txt', 'x')],
      ['put', () => storage.put('escape/deeper/new.txt', 'x')],
      ['list', () => storage.list('escape/')],
    ] as const) {
      const error = await caught(call());
      expect(ValidationError.isInstance(error), `${operation} through a link out of the root must be refused`).toBe(true);
      expect((error as ValidationError).code).toBe('STORAGE_PATH_ESCAPE');
      expect((error as Error).message).not.toContain(outside);
    }
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    // Listing the root skips links that lead out instead of following them.
    expect((await storage.list()).items.map((item) => item.key)).toEqual([]);
    // The circuit breaker does not count refused keys as failures of the file system.
    expect(storage.circuitBreaker.stats.totalFailures).toBe(0);
  });

  it('follows symlinks that stay inside the root', async () => {
    const root = freshRoot();
    const storage = localFileStorage({ root });
    await storage.put('real/data.json', '{"a":1}');
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    symlinkSync(join(root, 'real/data.json'), join(root, 'data-link.json'));
    expect(await storage.getText('alias/data.json')).toBe('{"a":1}');
    expect(await storage.getText('data-link.json')).toBe('{"a":1}');
    expect((await storage.list()).items.map((item) => item.key)).toEqual(['data-link.json', 'real/data.json']);
  });

  it('answers a clear conflict error when a file and a folder want the same name', async () => {
    const storage = localFileStorage({ root: freshRoot(), allowedExtensions: '*' });
    await storage.put('docs/readme.md', 'x');
    const fileOverFolder = await caught(storage.put('docs', 'x'));
    expect(ValidationError.isInstance(fileOverFolder)).toBe(true);
    expect((fileOverFolder as ValidationError).code).toBe('STORAGE_KEY_CONFLICT');
    expect((fileOverFolder as Error).message).toBe('Storage put failed for key "docs": a folder exists where the file should be');
    const folderUnderFile = await caught(storage.put('docs/readme.md/inner.txt', 'x'));
    expect((folderUnderFile as ValidationError).code).toBe('STORAGE_KEY_CONFLICT');
    expect((folderUnderFile as Error).message).toBe('Storage put failed for key "docs/readme.md/inner.txt": a file exists where a folder should be');
    // A folder is not an object: reads answer "missing".
    expect(await storage.get('docs')).toBeUndefined();
    expect(await storage.stat('docs')).toBeUndefined();
    expect(await storage.delete('docs')).toBe(false);
    expect(await storage.getText('docs/readme.md')).toBe('x');
    // The caller's mistake, not a failing disk: the breaker stays closed.
    expect(storage.circuitBreaker.stats.totalFailures).toBe(0);
  });

  it('hides its temp files and metadata sidecars from listings', async () => {
    const root = freshRoot();
    const storage = localFileStorage({ root });
    await storage.put('a/typed.txt', 'x', { contentType: 'text/x-custom', metadata: { source: 'test' } });
    writeFileSync(join(root, 'a', '.tmp-999-leftover'), 'half a write');
    expect(readdirSync(join(root, 'a')).sort()).toEqual(['.meta', '.tmp-999-leftover', 'typed.txt']);
    expect((await storage.list()).items.map((item) => item.key)).toEqual(['a/typed.txt']);
    expect(await storage.stat('a/typed.txt')).toMatchObject({ contentType: 'text/x-custom', metadata: { source: 'test' } });
  });

  it('removes temp files of crashed writers at start once they are stale, and keeps fresh ones', async () => {
    const root = freshRoot();
    const storage = localFileStorage({ root });
    await storage.put('a/b/keep.txt', 'x', { metadata: { k: 'v' } });
    const old = join(root, 'a/b', '.tmp-123-0123456789abcdef');
    const oldSidecar = join(root, 'a/b/.meta', 'keep.txt.0123456789ab.tmp');
    const fresh = join(root, 'a', '.tmp-456-fedcba9876543210');
    for (const path of [old, oldSidecar, fresh]) writeFileSync(path, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    for (const path of [old, oldSidecar]) utimesSync(path, twoHoursAgo, twoHoursAgo);
    const entries: string[] = [];
    const context = { ...startContext(), log: memoryLogger(entries as never) };
    await storage.start(context);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(oldSidecar)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(await storage.stat('a/b/keep.txt')).toMatchObject({ metadata: { k: 'v' } });
    expect(JSON.stringify(entries)).toContain('removed 2 temp file(s)');
  });

  it('ignores a metadata sidecar that belongs to another version of the file', async () => {
    const root = freshRoot();
    const storage = localFileStorage({ root });
    await storage.put('doc.txt', 'first', { metadata: { version: '1' } });
    // Another program replaces the file behind the storage's back.
    writeFileSync(join(root, 'doc.txt.new'), 'second, longer');
    rmSync(join(root, 'doc.txt'));
    writeFileSync(join(root, 'doc.txt'), readFileSync(join(root, 'doc.txt.new')));
    rmSync(join(root, 'doc.txt.new'));
    const info = await storage.stat('doc.txt');
    expect(info?.metadata).toBeUndefined();
    expect(info?.contentType).toMatch(/^text\/plain/);
  });

  it('leaves no temp file behind when a streamed write is refused or its source fails', async () => {
    const root = freshRoot();
    const storage = localFileStorage({ root, maxFileSize: 1000 });
    await storage.put('docs/keep.txt', 'keep');
    await expect(storage.put('docs/big.txt', Readable.from([Buffer.alloc(600), Buffer.alloc(600)]))).rejects.toThrow(/limit/);
    async function* broken() {
      yield Buffer.alloc(10);
      throw new Error('source broke');
    }
    await expect(storage.put('docs/keep.txt', broken())).rejects.toThrow(/source broke/);
    expect(readdirSync(join(root, 'docs'))).toEqual(['keep.txt']);
    expect(readFileSync(join(root, 'docs/keep.txt'), 'utf8')).toBe('keep');
  });

  it('concurrent writer processes on one key: every read sees one whole version', async () => {
    const root = freshRoot();
    const size = 2 * 1024 * 1024;
    const storage = localFileStorage({ root, maxFileSize: Number.POSITIVE_INFINITY });
    await storage.put('shared.log', Buffer.alloc(size, 65));
    const writers = [70, 80, 90].map((firstByte) => spawnScript('rewrite-forever.ts', [root, 'shared.log', String(size), String(firstByte)]));
    try {
      await Promise.all(
        writers.map(
          (child) =>
            new Promise<void>((resolve, reject) => {
              child.stdout?.once('data', () => resolve());
              child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
            }),
        ),
      );
      const seen = new Set<number>();
      const until = Date.now() + 1500;
      let reads = 0;
      while (Date.now() < until) {
        const bytes = Buffer.from((await storage.get('shared.log'))!);
        expect(bytes.length).toBe(size);
        const first = bytes[0]!;
        expect(bytes.every((byte) => byte === first), 'a read saw a mix of two versions').toBe(true);
        seen.add(first);
        reads++;
      }
      // The readers really raced the writers: several versions went by.
      expect(reads).toBeGreaterThan(10);
      expect(seen.size).toBeGreaterThan(1);
    } finally {
      await Promise.all(
        writers.map((child) => {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGKILL');
          return exited;
        }),
      );
    }
    const final = Buffer.from((await storage.get('shared.log'))!);
    expect(final.length).toBe(size);
    expect(final.every((byte) => byte === final[0])).toBe(true);
  });

  it('writes atomically: killing the writer mid-write never leaves a torn file', async () => {
    const root = freshRoot();
    const size = 8 * 1024 * 1024;
    const storage = localFileStorage({ root, maxFileSize: Number.POSITIVE_INFINITY });
    await storage.put('state.log', Buffer.alloc(size, 65));
    for (const delayMs of [5, 60, 250, 700]) {
      const child = spawnScript('rewrite-forever.ts', [root, 'state.log', String(size)]);
      await new Promise<void>((resolve, reject) => {
        let output = '';
        child.stdout?.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (output.includes('writing')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
      });
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const bytes = Buffer.from((await storage.get('state.log'))!);
      expect(bytes.length, `after a kill at ${delayMs} ms the file is whole`).toBe(size);
      const first = bytes[0]!;
      expect(bytes.every((byte) => byte === first), `after a kill at ${delayMs} ms the file is one version`).toBe(true);
      expect((await storage.list()).items.map((item) => item.key)).toEqual(['state.log']);
    }
  });
});
