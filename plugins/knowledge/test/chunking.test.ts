import { ConfigError } from '@entity/core';
import { describe, expect, it } from 'vitest';
import { chunkSections, estimateTokens, markdownSections, reciprocalRankFusion } from '../src/index.js';

const sentence = (index: number) => `Sentence number ${index} talks about widgets and gears in some detail.`;

describe('chunkSections', () => {
  it('never crosses a heading and keeps each chunk’s heading path', () => {
    const chunks = chunkSections(markdownSections('# Guide\n\nIntro.\n\n## Install\n\nStep one.\n\n## Use\n\nStep two.'));
    expect(chunks.map((chunk) => [chunk.headings, chunk.text])).toEqual([
      [['Guide'], 'Intro.'],
      [['Guide', 'Install'], 'Step one.'],
      [['Guide', 'Use'], 'Step two.'],
    ]);
    expect(chunks.map((chunk) => chunk.ordinal)).toEqual([0, 1, 2]);
  });

  it('keeps every chunk within the token budget, with overlap between consecutive chunks of a section', () => {
    const text = Array.from({ length: 60 }, (_, index) => sentence(index)).join(' ');
    const chunks = chunkSections([{ headings: ['Long'], text }], { maxTokens: 80, overlapTokens: 20 });
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) {
      expect(chunk.tokens).toBeLessThanOrEqual(80);
      expect(estimateTokens(chunk.text)).toBe(chunk.tokens);
      expect(chunk.headings).toEqual(['Long']);
    }
    for (let index = 1; index < chunks.length; index++) {
      const lastSentenceOfPrevious = chunks[index - 1]!.text.split(/(?<=\.)\s+/).at(-1)!;
      expect(chunks[index]!.text.startsWith(lastSentenceOfPrevious)).toBe(true);
    }
    // Nothing is lost: every sentence is in some chunk.
    for (let index = 0; index < 60; index++) expect(chunks.some((chunk) => chunk.text.includes(sentence(index)))).toBe(true);
  });

  it('prefers paragraph boundaries and splits an oversized word by characters', () => {
    const chunks = chunkSections([{ headings: [], text: `${'a '.repeat(30)}\n\n${'b '.repeat(30)}\n\n${'x'.repeat(400)}` }], { maxTokens: 40, overlapTokens: 0 });
    expect(chunks[0]!.text).toBe('a '.repeat(30).trim());
    expect(chunks[1]!.text).toBe('b '.repeat(30).trim());
    expect(chunks.slice(2).map((chunk) => chunk.text).join('')).toBe('x'.repeat(400));
    for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(40);
  });

  it('refuses budgets that cannot work', () => {
    expect(() => chunkSections([], { maxTokens: 4 })).toThrow(ConfigError);
    expect(() => chunkSections([], { maxTokens: 100, overlapTokens: 60 })).toThrow(/overlapTokens/);
  });
});

describe('reciprocalRankFusion', () => {
  it('ranks an item high in both lists above items high in one', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'c'], ['c', 'd', 'a']], (id) => id, 60);
    expect(fused.map((entry) => entry.item)).toEqual(['a', 'c', 'b', 'd']);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 63);
  });
});
