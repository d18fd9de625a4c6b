import type { Context, LLM, Memory, Plugin } from '@entity/core';
import { definePlugin } from '@entity/core';
import { z } from 'zod';
import { KnowledgeBase } from './knowledge-base.js';
import { DEFAULT_PDF_LIMITS } from './loaders/pdf-sections.js';
import { resolveKnowledgeEmbedder } from './knowledge-embedder.js';
import { citationOf, DEFAULT_CITATION_INSTRUCTIONS, formatPassages } from './retrieval/format-passages.js';

const collectionName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, 'use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');

/** The retrieval plugin's settings (YAML `config:` of `use: '@entity/plugin-knowledge'`). */
export const knowledgeConfigSchema = z
  .object({
    collections: z.array(collectionName).min(1).default(['docs']).describe('Collections searched: the shared ones of these names and the user’s own.'),
    k: z.number().int().min(1).max(50).default(5).describe('Passages added to the context.'),
    mode: z.enum(['hybrid', 'vector', 'lexical']).default('hybrid').describe('Vector search, PostgreSQL full-text search, or both fused by reciprocal rank.'),
    candidates: z.number().int().min(1).max(1000).optional().describe('Candidates per list before fusion. Default: max(20, 4k).'),
    rrfK: z.number().int().min(1).max(1000).default(60).describe('Reciprocal rank fusion constant.'),
    embedder: z.enum(['memory', 'hashing', 'llm']).default('memory').describe('memory: the memory resource’s embedder; hashing: local; llm: the llm resource’s embedding model. Use the same for `entity ingest`.'),
    textSearch: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('english').describe('PostgreSQL text search configuration of the lexical index.'),
    chunking: z
      .object({
        maxTokens: z.number().int().min(16).max(8000).default(350),
        overlapTokens: z.number().int().min(0).max(3999).default(50),
      })
      .strict()
      .default({ maxTokens: 350, overlapTokens: 50 })
      .describe('How ingest cuts documents (used by `entity ingest` with this config).'),
    html: z.object({ ignoreClasses: z.array(z.string().min(1)).default([]) }).strict().default({ ignoreClasses: [] }).describe('HTML elements with these classes are not ingested.'),
    pdf: z
      .object({
        maxPages: z.number().int().min(1).default(DEFAULT_PDF_LIMITS.maxPages),
        maxTextChars: z.number().int().min(1_000).default(DEFAULT_PDF_LIMITS.maxTextChars),
      })
      .strict()
      .default(DEFAULT_PDF_LIMITS)
      .describe('A PDF with more pages or more text than this is refused (reported, not ingested).'),
    instructions: z.string().min(1).default(DEFAULT_CITATION_INSTRUCTIONS).describe('Text placed before the passages; the default asks for citations by file and heading.'),
  })
  .strict();

export type KnowledgeConfig = z.input<typeof knowledgeConfigSchema>;
type ParsedConfig = z.output<typeof knowledgeConfigSchema>;

/** A knowledge base built from a parsed plugin config (what `entity ingest` uses too). */
export async function knowledgeBaseFromConfig(config: ParsedConfig, resources: { memory: Memory; llm?: LLM | undefined; signal?: AbortSignal }): Promise<KnowledgeBase> {
  const embedder = await resolveKnowledgeEmbedder(config.embedder, resources.memory, resources.llm, resources.signal);
  return new KnowledgeBase({
    memory: resources.memory,
    embedder,
    chunking: config.chunking,
    textSearch: config.textSearch,
    parsing: { html: { ignoreClasses: config.html.ignoreClasses }, pdf: config.pdf },
  });
}

/**
 * The retrieval plugin: on the first iteration of each run (THINK, before the model call) it
 * searches the configured collections with the user's message and adds the best passages to
 * this run's system prompt (`ctx.addContext`, never saved into history) and their files and
 * headings to `info.sources`.
 */
export function knowledgePlugin(): Plugin<ParsedConfig> {
  let knowledge: KnowledgeBase | undefined;
  return definePlugin({
    name: 'knowledge',
    kind: 'prompt',
    dependencies: ['memory'],
    description: 'Retrieves passages from the knowledge base and adds them, with sources, to the run’s context',
    config: knowledgeConfigSchema,
    async init({ config, resource, has, signal }) {
      const memory = resource<Memory>('memory');
      knowledge = await knowledgeBaseFromConfig(config, { memory, llm: has('llm') ? resource<LLM>('llm') : undefined, signal });
      await knowledge.prepare();
    },
    async execute(context: Context, config: ParsedConfig) {
      if (context.iteration !== 1 || knowledge === undefined) return;
      const chunks = await knowledge.search({
        userId: context.userId,
        query: context.message,
        collections: config.collections,
        k: config.k,
        mode: config.mode,
        rrfK: config.rrfK,
        ...(config.candidates === undefined ? {} : { candidates: config.candidates }),
      });
      context.annotate('knowledge', { mode: config.mode, passages: chunks.map((chunk) => citationOf(chunk)) });
      if (chunks.length === 0) return;
      context.addContext(formatPassages(chunks, config.instructions), { label: 'retrieved passages' });
      context.addSources(
        chunks.map((chunk) => ({
          source: chunk.source,
          ...(chunk.headings.length > 0 ? { section: chunk.headings.join(' > ') } : {}),
          score: chunk.score,
          collection: chunk.collection,
        })),
      );
    },
  });
}
