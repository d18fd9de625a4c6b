import { ConfigError } from '@entity/core';
import type { DocumentSection } from '../loaders/document.js';
import { estimateTokens } from './estimate-tokens.js';

/** How documents are cut into chunks. */
export interface ChunkingOptions {
  /** Most estimated tokens in a chunk's text (its heading path not counted). Default: 350. */
  maxTokens?: number;
  /** Tokens of the previous chunk repeated at the start of the next one in the same section, so a sentence cut at a boundary is whole in one of them. Default: 50. */
  overlapTokens?: number;
}

/** A piece of a document that is embedded, indexed and retrieved on its own. */
export interface Chunk {
  /** 0-based position in the document. */
  ordinal: number;
  /** Heading path of the section it comes from. */
  headings: string[];
  text: string;
  tokens: number;
}

export const DEFAULT_CHUNKING: Required<ChunkingOptions> = { maxTokens: 350, overlapTokens: 50 };

export function resolveChunking(options: ChunkingOptions = {}): Required<ChunkingOptions> {
  const maxTokens = options.maxTokens ?? DEFAULT_CHUNKING.maxTokens;
  const overlapTokens = options.overlapTokens ?? DEFAULT_CHUNKING.overlapTokens;
  if (!Number.isInteger(maxTokens) || maxTokens < 16 || maxTokens > 8000) {
    throw new ConfigError([{ path: 'chunking.maxTokens', message: `is ${String(maxTokens)}`, fix: 'use a whole number from 16 to 8000 (default 350)' }]);
  }
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0 || overlapTokens >= maxTokens / 2) {
    throw new ConfigError([
      { path: 'chunking.overlapTokens', message: `is ${String(overlapTokens)}`, fix: `use a whole number from 0 to less than half of maxTokens (${maxTokens})` },
    ]);
  }
  return { maxTokens, overlapTokens };
}

interface Piece {
  text: string;
  tokens: number;
  /** What joins it to the piece before: a paragraph break, a line break or a space. */
  joiner: string;
}

/** Splits text into pieces of at most `max` tokens: paragraphs, then lines, sentences, words. */
function pieces(text: string, max: number): Piece[] {
  const result: Piece[] = [];
  const add = (part: string, joiner: string, level: number) => {
    const trimmed = part.trim();
    if (trimmed === '') return;
    const tokens = estimateTokens(trimmed);
    if (tokens <= max || level === 3) {
      if (tokens <= max) result.push({ text: level === 0 ? part.replace(/^\n+/, '').trimEnd() : trimmed, tokens, joiner });
      else {
        // One "word" longer than the budget (a URL, base64): cut it by characters.
        const size = max * 4;
        for (let start = 0; start < trimmed.length; start += size) {
          const slice = trimmed.slice(start, start + size);
          result.push({ text: slice, tokens: estimateTokens(slice), joiner: start === 0 ? joiner : '' });
        }
      }
      return;
    }
    const [separator, nextJoiner] =
      level === 0 ? [/\n/, '\n'] : level === 1 ? [/(?<=[.!?;:])\s+/, ' '] : [/\s+/, ' '];
    for (const [index, item] of part.split(separator).entries()) add(item, index === 0 ? joiner : nextJoiner, level + 1);
  };
  for (const [index, paragraph] of text.split(/\n[ \t]*\n/).entries()) add(paragraph, index === 0 ? '' : '\n\n', 0);
  return result;
}

const join = (items: readonly Piece[]) => items.map((item, index) => (index === 0 ? item.text : item.joiner + item.text)).join('');

/**
 * Cuts sections into chunks of at most `maxTokens`: never across a heading (each chunk keeps
 * its section's heading path), preferring paragraph, then line, sentence and word boundaries,
 * with `overlapTokens` of the previous chunk repeated when a section needs several chunks.
 */
export function chunkSections(sections: readonly DocumentSection[], options: ChunkingOptions = {}): Chunk[] {
  const { maxTokens, overlapTokens } = resolveChunking(options);
  const chunks: Chunk[] = [];
  for (const section of sections) {
    let current: Piece[] = [];
    let tokens = 0;
    let fresh = 0; // pieces in `current` not already emitted in the previous chunk
    const emit = () => {
      if (fresh === 0) return;
      chunks.push({ ordinal: chunks.length, headings: [...section.headings], text: join(current), tokens });
      const overlap: Piece[] = [];
      let overlapSize = 0;
      for (let index = current.length - 1; index >= 0 && overlapSize + current[index]!.tokens <= overlapTokens; index--) {
        overlap.unshift(current[index]!);
        overlapSize += current[index]!.tokens;
      }
      current = overlap;
      tokens = overlapSize;
      fresh = 0;
    };
    for (const piece of pieces(section.text, maxTokens)) {
      if (tokens + piece.tokens > maxTokens) {
        emit();
        // The overlap plus this piece may still not fit: drop overlap until it does.
        while (current.length > 0 && tokens + piece.tokens > maxTokens) tokens -= current.shift()!.tokens;
      }
      current.push(piece);
      tokens += piece.tokens;
      fresh++;
    }
    emit();
  }
  return chunks;
}
