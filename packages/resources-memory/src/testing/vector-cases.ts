import type { VectorMemory } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { expectValidationError, uniqueUser, vectorOf } from './conformance-helpers.js';
import { INJECTION_STRINGS } from './injection-strings.js';

export function vectorCases(vectors: () => VectorMemory): void {
  describe('vectors', () => {
    const dims = () => vectors().dimensions;

    it('finds the nearest documents by cosine distance, closest first, k at most', async () => {
      const userId = uniqueUser('vec');
      const ids = await vectors().addDocuments([
        { userId, id: 'east', content: 'east', embedding: vectorOf(dims(), [1, 0, 0]) },
        { userId, id: 'north', content: 'north', embedding: vectorOf(dims(), [0, 1, 0]) },
        { userId, id: 'north-east', content: 'north-east', embedding: vectorOf(dims(), [1, 1, 0]) },
        { userId, id: 'west', content: 'west', embedding: vectorOf(dims(), [-1, 0, 0]) },
      ]);
      expect(ids).toEqual(['east', 'north', 'north-east', 'west']);
      const matches = await vectors().search({ userId, embedding: vectorOf(dims(), [1, 0.1, 0], 7), k: 3 });
      expect(matches.map((match) => match.id)).toEqual(['east', 'north-east', 'north']);
      expect(matches[0]!.distance).toBeLessThan(0.01);
      expect(matches[0]!.distance).toBeLessThan(matches[1]!.distance);
      expect(matches[1]!.distance).toBeLessThan(matches[2]!.distance);
      const all = await vectors().search({ userId, embedding: vectorOf(dims(), [1, 0, 0]) });
      expect(all.at(-1)?.id).toBe('west');
      expect(all.at(-1)!.distance).toBeGreaterThan(1.9);
    });

    it('embeds text when no embedding is given and finds the same text first', async () => {
      const userId = uniqueUser('vec');
      const texts = ['The invoice for March was paid late', 'Our cat sleeps on the warm windowsill', 'Deploy the service on Friday evening'];
      const ids = await vectors().addDocuments(texts.map((content) => ({ userId, content, metadata: { source: 'notes' } })));
      expect(new Set(ids).size).toBe(3);
      const [best] = await vectors().search({ userId, text: texts[1]!, k: 3 });
      expect(best?.content).toBe(texts[1]);
      expect(best?.distance).toBeLessThan(1e-4);
      expect(best?.metadata).toEqual({ source: 'notes' });
    });

    it('filters by exact metadata values', async () => {
      const userId = uniqueUser('vec');
      await vectors().addDocuments([
        { userId, id: 'a', content: 'a', metadata: { topic: 'billing', level: 1, tags: ['x'] }, embedding: vectorOf(dims(), [1, 0]) },
        { userId, id: 'b', content: 'b', metadata: { topic: 'billing', level: 2 }, embedding: vectorOf(dims(), [0.9, 0.1]) },
        { userId, id: 'c', content: 'c', metadata: { topic: 'support', level: 1 }, embedding: vectorOf(dims(), [1, 0.05]) },
      ]);
      const query = vectorOf(dims(), [1, 0]);
      const ids = async (filter: Record<string, never> | Record<string, unknown>) =>
        (await vectors().search({ userId, embedding: query, filter: filter as never })).map((match) => match.id);
      expect(await ids({ topic: 'billing' })).toEqual(['a', 'b']);
      expect(await ids({ topic: 'billing', level: 2 })).toEqual(['b']);
      expect(await ids({ level: 1 })).toEqual(['a', 'c']);
      expect(await ids({ tags: ['x'] })).toEqual(['a']);
      expect(await ids({ topic: 'nothing' })).toEqual([]);
      expect(await ids({ missing: null })).toEqual([]);
    });

    it('never lets one user search or delete another user\'s documents', async () => {
      const alice = uniqueUser('alice');
      const bob = uniqueUser('bob');
      const embedding = vectorOf(dims(), [0, 0, 1]);
      await vectors().addDocuments([{ userId: alice, id: 'shared-id', content: 'alice private', embedding }]);
      await vectors().addDocuments([{ userId: bob, id: 'shared-id', content: 'bob public', embedding }]);
      expect((await vectors().search({ userId: bob, embedding })).map((match) => match.content)).toEqual(['bob public']);
      expect(await vectors().search({ userId: uniqueUser('mallory'), embedding })).toEqual([]);
      expect(await vectors().deleteDocuments(uniqueUser('mallory'), ['shared-id'])).toBe(0);
      expect(await vectors().deleteDocuments(bob, ['shared-id'])).toBe(1);
      expect((await vectors().search({ userId: alice, embedding })).map((match) => match.content)).toEqual(['alice private']);
    });

    it('replaces a document added again under the same id, and deletes by id', async () => {
      const userId = uniqueUser('vec');
      await vectors().addDocuments([{ userId, id: 'doc', content: 'first', embedding: vectorOf(dims(), [1, 0]) }]);
      await vectors().addDocuments([{ userId, id: 'doc', content: 'second', metadata: { v: 2 }, embedding: vectorOf(dims(), [0, 1]) }]);
      const matches = await vectors().search({ userId, embedding: vectorOf(dims(), [0, 1]) });
      expect(matches.map((match) => [match.id, match.content, match.metadata])).toEqual([['doc', 'second', { v: 2 }]]);
      expect(await vectors().deleteDocuments(userId, ['doc', 'never-existed'])).toBe(1);
      expect(await vectors().search({ userId, embedding: vectorOf(dims(), [0, 1]) })).toEqual([]);
    });

    it('rejects embeddings of the wrong dimension with a clear error, storing nothing', async () => {
      const userId = uniqueUser('vec');
      const wrong = dims() + 1;
      const error = await expectValidationError(
        vectors().addDocuments([
          { userId, id: 'ok', content: 'ok', embedding: vectorOf(dims(), [1]) },
          { userId, id: 'bad', content: 'bad', embedding: vectorOf(wrong, [1]) },
        ]),
      );
      expect(error.message).toContain(String(dims()));
      expect(error.message).toContain(String(wrong));
      await expectValidationError(vectors().search({ userId, embedding: vectorOf(dims() - 1, [1]) }), new RegExp(String(dims())));
      expect(await vectors().search({ userId, embedding: vectorOf(dims(), [1]) })).toEqual([]);
    });

    it('treats SQL-looking metadata keys, values and filters as data', async () => {
      const userId = uniqueUser('vec');
      const embedding = vectorOf(dims(), [1, 1, 1]);
      const metadata = Object.fromEntries(INJECTION_STRINGS.map((text, index) => [text, `${index}:${text}`]));
      await vectors().addDocuments([{ userId, id: "id'; DROP TABLE entity_documents; --", content: INJECTION_STRINGS.join(' '), metadata, embedding }]);
      const [match] = await vectors().search({ userId, embedding });
      expect(match?.metadata).toEqual(metadata);
      expect(match?.id).toBe("id'; DROP TABLE entity_documents; --");
      for (const [index, text] of INJECTION_STRINGS.entries()) {
        expect((await vectors().search({ userId, embedding, filter: { [text]: `${index}:${text}` } })).length).toBe(1);
        expect(await vectors().search({ userId, embedding, filter: { [text]: "x' OR '1'='1" } })).toEqual([]);
        expect(await vectors().search({ userId, embedding, filter: { "' OR 1=1 --": text } })).toEqual([]);
      }
      expect(await vectors().search({ userId: "' OR '1'='1", embedding })).toEqual([]);
    });

    it('rejects searches without text or embedding and zero vectors', async () => {
      const userId = uniqueUser('vec');
      await expectValidationError(vectors().search({ userId }));
      await expectValidationError(vectors().search({ userId, text: '   ' }));
      await expectValidationError(vectors().search({ userId, embedding: new Array(dims()).fill(0) }));
      await expectValidationError(vectors().search({ userId, embedding: vectorOf(dims(), [1]), k: -1 }));
    });
  });
}
