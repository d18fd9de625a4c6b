import type { EmbeddingResponse, LLM, Logger, ResourceStartContext } from '@entity/core';
import { ResourceError } from '@entity/core';
import { afterAll, describe, expect, it } from 'vitest';
import { hashText } from '../src/index.js';
import { rejectionOf } from '../src/testing/index.js';
import { driversUnderTest } from './support/drivers.js';

const drivers = await driversUnderTest('sql-memory');
afterAll(async () => {
  for (const driver of drivers) await driver.cleanup();
});

const warnings: string[] = [];
const logger: Logger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => void warnings.push(message),
  error: () => undefined,
  child: () => logger,
};

/** An LLM resource with an embedding model of 8 dimensions (no provider SDK needed). */
function embeddingLlm(calls: string[][]): LLM {
  return {
    provider: 'test-embeddings',
    model: 'test-model',
    capabilities: { streaming: false, tools: false, structuredOutput: false, embeddings: true },
    embeddingDimensions: 8,
    chat: async () => {
      throw new Error('not used');
    },
    embed: async (texts: string[]): Promise<EmbeddingResponse> => {
      calls.push(texts);
      return { embeddings: texts.map((text) => hashText(text, 8)), model: 'test-embed', provider: 'test-embeddings', usage: { inputTokens: texts.length } };
    },
  };
}

function startContext(resources: Record<string, unknown>, name = 'memory'): ResourceStartContext {
  return {
    name,
    resource: <T>(resourceName: string) => resources[resourceName] as T,
    has: (resourceName: string) => resourceName in resources,
    log: logger,
    signal: new AbortController().signal,
  };
}

for (const driver of drivers) {
  describe.skipIf(!driver.available)(`${driver.name}: SQL memory`, () => {
    it('starts again on an existing database without re-running migrations, and keeps the data', async () => {
      const first = driver.create();
      await first.start();
      await first.set('persist-user', 'note', { kept: true });
      await first.appendMessages({ userId: 'persist-user', conversationId: 'c' }, [{ role: 'user', content: 'hello' }]);
      await first.stop();

      const second = driver.create();
      await second.start();
      await second.start();
      try {
        expect(await second.get('persist-user', 'note')).toEqual({ kept: true });
        expect((await second.loadMessages({ userId: 'persist-user', conversationId: 'c' })).map((item) => item.message.content)).toEqual(['hello']);
        const applied = await second.database.sql<{ owner: string; count: number | string }>(
          'SELECT owner, count(*) AS count FROM entity_schema_migrations GROUP BY owner ORDER BY owner',
        );
        expect(applied.rows.map((row) => [row.owner, Number(row.count)])).toEqual([
          ['entity:memory', 1],
          ['entity:memory:vectors', 1],
        ]);
      } finally {
        await second.stop();
      }
    });

    it('refuses to start with other dimensions than the stored documents, naming both', async () => {
      const original = driver.create();
      await original.start();
      expect(original.vectors.dimensions).toBe(384);
      await original.vectors.addDocuments([{ userId: 'u', content: 'kept with 384 dimensions' }]);
      await original.stop();
      const changed = driver.create({ dimensions: 16 });
      const error = await rejectionOf(changed.start());
      expect(ResourceError.isInstance(error)).toBe(true);
      expect((error as ResourceError).code).toBe('DIMENSION_MISMATCH');
      expect((error as Error).message).toMatch(/384.*16/);
      await expect(changed.get('u', 'k')).rejects.toThrow(/not started/);
    });

    it('re-creates an empty document table at a new size (a zero-config agent switching providers)', async () => {
      const original = driver.create({}, 'resize');
      await original.start();
      await original.set('u', 'kept', 'conversations and values survive');
      await original.stop();
      const changed = driver.create({ dimensions: 16 }, 'resize');
      await changed.start();
      try {
        expect(changed.vectors.dimensions).toBe(16);
        await changed.vectors.addDocuments([{ userId: 'u', content: 'sixteen', embedding: Array.from({ length: 16 }, (_, i) => i + 1) }]);
        const found = await changed.vectors.search({ userId: 'u', embedding: Array.from({ length: 16 }, (_, i) => i + 1), k: 1 });
        expect(found.map((match) => match.content)).toEqual(['sixteen']);
        expect(await changed.get('u', 'kept')).toBe('conversations and values survive');
      } finally {
        await changed.stop();
      }
    });

    it('keeps only the newest messages per conversation when maxMessagesPerConversation is set', async () => {
      const memory = driver.create({ retention: { maxMessagesPerConversation: 3 } });
      await memory.start();
      try {
        const ref = { userId: 'retention-count', conversationId: 'c' };
        for (let index = 1; index <= 5; index++) await memory.appendMessages(ref, [{ role: 'user', content: `m${index}` }]);
        const kept = await memory.loadMessages(ref);
        expect(kept.map((item) => [item.sequence, item.message.content])).toEqual([
          [3, 'm3'],
          [4, 'm4'],
          [5, 'm5'],
        ]);
        expect((await memory.listConversations('retention-count'))[0]?.messageCount).toBe(3);
      } finally {
        await memory.stop();
      }
    });

    it('hides and prunes messages older than maxAgeMs', async () => {
      let now = Date.parse('2030-01-01T00:00:00Z');
      const memory = driver.create({ retention: { maxAgeMs: 60_000 }, now: () => now });
      await memory.start();
      try {
        const ref = { userId: 'retention-age', conversationId: 'c' };
        await memory.appendMessages(ref, [{ role: 'user', content: 'old' }]);
        now += 30_000;
        await memory.appendMessages(ref, [{ role: 'user', content: 'newer' }]);
        now += 45_000;
        expect((await memory.loadMessages(ref)).map((item) => item.message.content)).toEqual(['newer']);
        expect((await memory.listConversations('retention-age'))[0]?.messageCount).toBe(1);
        now += 60_000;
        expect(await memory.loadMessages(ref)).toEqual([]);
        expect(await memory.listConversations('retention-age')).toEqual([]);
        expect(await memory.pruneExpired()).toBeGreaterThanOrEqual(1);
        const [next] = await memory.appendMessages(ref, [{ role: 'user', content: 'fresh' }]);
        expect(next!.sequence).toBe(3);
      } finally {
        await memory.stop();
      }
    });
  });

  describe.skipIf(!driver.available)(`${driver.name}: embeddings`, () => {
    it('embeds with the LLM resource when it has an embedding model, and warns when the embedder changes', async () => {
      const calls: string[][] = [];
      const withLlm = driver.create({}, 'llm');
      expect(withLlm.optionalDependencies).toEqual(['llm']);
      await withLlm.start(startContext({ llm: embeddingLlm(calls) }));
      try {
        expect(withLlm.embedder.id).toBe('llm:test-embeddings:8');
        expect(withLlm.vectors.dimensions).toBe(8);
        await withLlm.vectors.addDocuments([
          { userId: 'u', content: 'the quarterly report is due' },
          { userId: 'u', content: 'feed the cat' },
        ]);
        const [best] = await withLlm.vectors.search({ userId: 'u', text: 'feed the cat' });
        expect(best?.content).toBe('feed the cat');
        expect(calls.flat()).toEqual(['the quarterly report is due', 'feed the cat', 'feed the cat']);
      } finally {
        await withLlm.stop();
      }
      // Same table, another embedder of the same size: allowed, but the log says vectors are mixed.
      warnings.length = 0;
      const local = driver.create({ dimensions: 8 }, 'llm');
      await local.start(startContext({}));
      try {
        expect(local.embedder.id).toBe('entity-hashing-v1:8');
        expect(warnings.join('\n')).toMatch(/llm:test-embeddings:8.*entity-hashing-v1:8/);
      } finally {
        await local.stop();
      }
    });

    it('uses the local hashing embedder when the llm cannot embed or hashing is chosen', async () => {
      const { embed: _embed, ...chatOnly } = embeddingLlm([]);
      const memory = driver.create();
      await memory.start(startContext({ llm: { ...chatOnly, capabilities: { ...chatOnly.capabilities, embeddings: false } } }));
      try {
        expect(memory.embedder.id).toBe('entity-hashing-v1:384');
      } finally {
        await memory.stop();
      }
      expect(driver.create({ embedder: 'hashing' }).optionalDependencies).toEqual([]);
    });

    it('fails at start when embedder "llm" is required but no llm can embed', async () => {
      const error = await rejectionOf(driver.create({ embedder: 'llm' }).start(startContext({})));
      expect((error as Error).message).toMatch(/embedder.*"llm"/);
    });
  });
}

describe('pglite: one instance per path per process', () => {
  it('shares the open database between memories on the same path until the last one stops', async () => {
    const { existsSync } = await import('node:fs');
    const pglite = drivers.find((driver) => driver.name === 'pglite')!;
    const path = pglite.location('shared').path!;
    const first = pglite.create({}, 'shared');
    const second = pglite.create({}, 'shared');
    await Promise.all([first.start(), second.start()]);
    await first.set('shared-user', 'k', 'written by first');
    expect(await second.get('shared-user', 'k')).toBe('written by first');
    expect(existsSync(`${path}.lock`)).toBe(true);
    await first.stop();
    expect(await second.get('shared-user', 'k')).toBe('written by first');
    await second.stop();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });
});
