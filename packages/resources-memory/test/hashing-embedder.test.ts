import { ConfigError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { hashingEmbedder, hashText } from '../src/index.js';

const cosine = (a: number[], b: number[]) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);

describe('hashing embedder', () => {
  it('is deterministic, normalised and of the configured size', async () => {
    const embedder = hashingEmbedder({ dimensions: 64 });
    const [first, again] = await embedder.embed(['Hello world', 'Hello world']);
    expect(first).toEqual(again);
    expect(first).toHaveLength(64);
    expect(Math.sqrt(cosine(first!, first!))).toBeCloseTo(1, 10);
    expect(embedder.id).toBe('entity-hashing-v1:64');
    expect(hashingEmbedder().dimensions).toBe(384);
  });

  it('puts texts sharing words and stems closer than unrelated texts', () => {
    const query = hashText('my cat is sleeping', 384);
    const related = hashText('Cats sleep all day', 384);
    const unrelated = hashText('quarterly revenue grew in Europe', 384);
    expect(cosine(query, related)).toBeGreaterThan(0.5);
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.4);
  });

  it('ignores case, stop words and Unicode width differences', () => {
    expect(hashText('The INVOICE', 128)).toEqual(hashText('invoice', 128));
    expect(hashText('ｉｎｖｏｉｃｅ', 128)).toEqual(hashText('invoice', 128));
  });

  it('gives punctuation-only text a direction and empty text none', () => {
    expect(hashText('?!', 32).some((value) => value !== 0)).toBe(true);
    expect(hashText('   ', 32).every((value) => value === 0)).toBe(true);
  });

  it('rejects impossible sizes', () => {
    expect(() => hashingEmbedder({ dimensions: 1 })).toThrow(ConfigError);
    expect(() => hashingEmbedder({ dimensions: 3.5 })).toThrow(/dimensions/);
  });
});
