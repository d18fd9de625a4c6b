import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseMemory } from '@entity/resources-memory';
import { hashingEmbedder } from '@entity/resources-memory';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHUNKS_TABLE, folderSource, KnowledgeBase } from '../src/index.js';
import { backends } from './support/backends.js';

const all = await backends('kb');
afterAll(async () => {
  for (const backend of all) await backend.cleanup();
});

describe.each(all)('knowledge base on $name', (backend) => {
  let memory: DatabaseMemory;
  let folder: string;
  let knowledge: KnowledgeBase;

  beforeAll(async () => {
    if (!backend.available) return;
    memory = backend.create({ embedder: 'hashing' });
    await memory.start();
    knowledge = new KnowledgeBase({ memory, embedder: hashingEmbedder(), chunking: { maxTokens: 60, overlapTokens: 10 } });
    // PGlite's WebAssembly start can take a minute on a loaded two-core machine.
  }, 180_000);
  afterAll(async () => {
    await memory?.stop();
  });
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const write = (files: Record<string, string>) => {
    folder = mkdtempSync(join(tmpdir(), 'entity-knowledge-kb-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
    return folder;
  };
  const chunkRows = async (path: string) =>
    (await memory.database.sql<{ count: string | number }>(`SELECT count(*) AS count FROM ${CHUNKS_TABLE} WHERE path = $1`, [path])).rows[0]!.count;

  it.runIf(backend.available)('ingests incrementally: unchanged skipped, changed re-chunked, deleted removed, idempotent', async () => {
    const root = write({
      'pets.md': '# Pets\n\n## Cats\n\nCats purr and sleep in the sun.\n\n## Dogs\n\nDogs bark at the mail carrier.',
      'plants.txt': 'Ferns like shade and damp soil.',
    });
    const progress: string[] = [];
    const first = await knowledge.ingest({ collection: 'home', source: folderSource(root), onProgress: (item) => progress.push(`${item.done}/${item.total} ${item.path} ${item.status}`) });
    expect(first).toMatchObject({ added: ['pets.md', 'plants.txt'], updated: [], unchanged: [], removed: [], failed: [], scope: 'shared' });
    expect(first.chunks).toBe(3);
    expect(progress).toEqual(['1/2 pets.md added', '2/2 plants.txt added']);

    const again = await knowledge.ingest({ collection: 'home', source: folderSource(root) });
    expect(again).toMatchObject({ added: [], updated: [], unchanged: ['pets.md', 'plants.txt'], removed: [], chunks: 0 });
    expect(Number(await chunkRows('pets.md'))).toBe(2);

    writeFileSync(join(root, 'pets.md'), '# Pets\n\n## Parrots\n\nParrots repeat words they hear.');
    unlinkSync(join(root, 'plants.txt'));
    const third = await knowledge.ingest({ collection: 'home', source: folderSource(root) });
    expect(third).toMatchObject({ added: [], updated: ['pets.md'], unchanged: [], removed: ['plants.txt'], chunks: 1 });
    expect(Number(await chunkRows('pets.md'))).toBe(1);
    expect(Number(await chunkRows('plants.txt'))).toBe(0);

    const found = await knowledge.search({ userId: 'u1', query: 'which animal repeats words', collections: ['home'] });
    expect(found.map((chunk) => [chunk.source, chunk.headings])).toEqual([['pets.md', ['Pets', 'Parrots']]]);
    expect(await knowledge.search({ userId: 'u1', query: 'ferns shade', collections: ['home'], mode: 'lexical' })).toEqual([]);
    expect(await knowledge.search({ userId: 'u1', query: 'cats purr', collections: ['home'], mode: 'lexical' })).toEqual([]);
  });

  it.runIf(backend.available)('refuses to empty a collection from a source with no documents unless told to', async () => {
    const root = write({ 'a.md': '# A\n\nApples.' });
    await knowledge.ingest({ collection: 'empty', source: folderSource(root) });
    unlinkSync(join(root, 'a.md'));
    await expect(knowledge.ingest({ collection: 'empty', source: folderSource(root) })).rejects.toThrow(/refusing to delete them all/);
    expect((await knowledge.search({ userId: 'u', query: 'apples', collections: ['empty'] })).map((chunk) => chunk.source)).toEqual(['a.md']);
    const emptied = await knowledge.ingest({ collection: 'empty', source: folderSource(root), allowEmptySource: true });
    expect(emptied.removed).toEqual(['a.md']);
    expect(await knowledge.search({ userId: 'u', query: 'apples', collections: ['empty'] })).toEqual([]);
  });

  it.runIf(backend.available)('keeps the indexed version of a file that fails to parse, and reports it', async () => {
    const root = write({ 'good.md': '# Good\n\nValid text about comets.' });
    await knowledge.ingest({ collection: 'fail', source: folderSource(root) });
    writeFileSync(join(root, 'good.md'), new Uint8Array([0xff, 0xfe, 0xfd]));
    const report = await knowledge.ingest({ collection: 'fail', source: folderSource(root) });
    expect(report.failed).toEqual([{ path: 'good.md', error: expect.stringContaining('not valid UTF-8') }]);
    expect(report.removed).toEqual([]);
    expect((await knowledge.search({ userId: 'u1', query: 'comets', collections: ['fail'] })).map((chunk) => chunk.source)).toEqual(['good.md']);
  });

  it.runIf(backend.available)('re-chunks unchanged files when the chunking settings change', async () => {
    const root = write({ 'a.md': `# A\n\n${'Long sentence about telescopes and stars. '.repeat(20)}` });
    const first = await knowledge.ingest({ collection: 'settings', source: folderSource(root) });
    const wider = new KnowledgeBase({ memory, embedder: hashingEmbedder(), chunking: { maxTokens: 400, overlapTokens: 10 } });
    const second = await wider.ingest({ collection: 'settings', source: folderSource(root) });
    expect(second.updated).toEqual(['a.md']);
    expect(second.chunks).toBeLessThan(first.chunks);
  });

  it.runIf(backend.available)('never lets a user retrieve another user’s private chunks', async () => {
    const shared = write({ 'policy.md': '# Holidays\n\nEveryone gets twenty holiday days a year.' });
    await knowledge.ingest({ collection: 'hr', source: folderSource(shared) });
    const alice = write({ 'salary.md': '# Salary\n\nAlice salary is ninety thousand holiday coins.' });
    await knowledge.ingest({ collection: 'hr', userId: 'alice', source: folderSource(alice) });
    const bob = write({ 'notes.md': '# Notes\n\nBob notes about holiday plans.' });
    await knowledge.ingest({ collection: 'hr', userId: 'bob', source: folderSource(bob) });

    for (const mode of ['vector', 'lexical', 'hybrid'] as const) {
      const forBob = await knowledge.search({ userId: 'bob', query: 'Alice salary holiday coins', collections: ['hr'], k: 20, mode });
      expect(forBob.some((chunk) => chunk.source === 'salary.md')).toBe(false);
      expect(forBob.every((chunk) => chunk.scope === 'shared' || chunk.source === 'notes.md')).toBe(true);
      const forAlice = await knowledge.search({ userId: 'alice', query: 'Alice salary holiday coins', collections: ['hr'], k: 20, mode });
      expect(forAlice[0]).toMatchObject({ source: 'salary.md', scope: 'private', collection: 'hr' });
      expect(forAlice.some((chunk) => chunk.source === 'notes.md')).toBe(false);
    }
    expect((await knowledge.collections('bob')).filter((collection) => collection.name === 'hr')).toEqual([
      { name: 'hr', scope: 'shared', files: 1, chunks: 1 },
      { name: 'hr', scope: 'private', files: 1, chunks: 1 },
    ]);
    expect(await knowledge.deleteCollection({ collection: 'hr', userId: 'alice' })).toBe(true);
    expect(await knowledge.search({ userId: 'alice', query: 'salary', collections: ['hr'], mode: 'lexical' })).toEqual([]);
  });

  it.runIf(backend.available)('finds passages by meaning-bearing words (vector), by exact words (lexical) and fuses both', async () => {
    const root = write({
      'db.md': '# Database\n\n## Backups\n\nRun pg_dump nightly to back up the database.\n\n## Indexes\n\nA B-tree index speeds up equality lookups.',
      'net.md': '# Network\n\n## Firewall\n\nOpen port 5432 for database clients.',
    });
    await knowledge.ingest({ collection: 'ops', source: folderSource(root) });
    for (const mode of ['vector', 'lexical', 'hybrid'] as const) {
      const [best] = await knowledge.search({ userId: 'u', query: 'how do I back up the database with pg_dump?', collections: ['ops'], mode });
      expect(best, mode).toMatchObject({ source: 'db.md', headings: ['Database', 'Backups'] });
    }
    const hybrid = await knowledge.search({ userId: 'u', query: 'index lookups', collections: ['ops'], k: 2 });
    expect(hybrid).toHaveLength(2);
    expect(hybrid[0]!.score).toBeGreaterThan(hybrid[1]!.score);
  });

  it.runIf(backend.available)('refuses bad input with clear errors', async () => {
    await expect(knowledge.search({ userId: '', query: 'x', collections: ['ops'] })).rejects.toThrow(/userId/);
    await expect(knowledge.search({ userId: 'u', query: 'x', collections: ['bad name!'] })).rejects.toThrow(/not a valid name/);
    await expect(knowledge.search({ userId: 'u', query: 'x', collections: ['ops'], k: 0 })).rejects.toThrow(/k is 0/);
    await expect(knowledge.ingest({ collection: '../x', source: folderSource('/tmp') })).rejects.toThrow(/not a valid name/);
  });
});
