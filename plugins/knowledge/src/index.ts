export { type Chunk, type ChunkingOptions, chunkSections, DEFAULT_CHUNKING } from './chunking/chunk-sections.js';
export { estimateTokens } from './chunking/estimate-tokens.js';
export {
  type CollectionRef,
  type IngestOptions,
  type IngestProgress,
  type IngestReport,
  KnowledgeBase,
  type KnowledgeBaseOptions,
  type RetrievalMode,
  type RetrievedChunk,
  type SearchOptions,
} from './knowledge-base.js';
export { type EmbedderChoice, resolveKnowledgeEmbedder } from './knowledge-embedder.js';
export { type KnowledgeConfig, knowledgeBaseFromConfig, knowledgeConfigSchema, knowledgePlugin } from './knowledge-plugin.js';
export type { DocumentFormat, DocumentSection, DocumentSource, RefusedFile, SourceFile } from './loaders/document.js';
export { type FolderSourceOptions, folderSource, readFileInside } from './loaders/folder-source.js';
export type { HtmlOptions } from './loaders/html-sections.js';
export type { PdfLimits } from './loaders/pdf-sections.js';
export { htmlSections } from './loaders/html-sections.js';
export { markdownSections } from './loaders/markdown-sections.js';
export { type ParseOptions, parseDocument } from './loaders/parse-document.js';
export { type StorageSourceOptions, storageSource } from './loaders/storage-source.js';
export { citationOf, DEFAULT_CITATION_INSTRUCTIONS, formatPassages } from './retrieval/format-passages.js';
export { DEFAULT_RRF_K, reciprocalRankFusion } from './retrieval/reciprocal-rank-fusion.js';
export type { CollectionInfo } from './store/knowledge-store.js';
export { CHUNKS_TABLE, COLLECTIONS_TABLE, FILES_TABLE, KNOWLEDGE_MIGRATIONS, KNOWLEDGE_OWNER } from './store/knowledge-schema.js';

/** `use: '@entity/plugin-knowledge'` in agent.yaml: a new retrieval plugin per agent. */
export { knowledgePlugin as default } from './knowledge-plugin.js';
