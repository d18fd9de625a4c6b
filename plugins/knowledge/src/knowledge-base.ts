import { createHash } from 'node:crypto';
import type { Memory, SqlMemory } from '@entity/core';
import { ConfigError, ValidationError } from '@entity/core';
import { requireIdentifier } from '@entity/core/internal';
import type { Embedder } from '@entity/resources-memory';
import { type ChunkingOptions, chunkSections, resolveChunking } from './chunking/chunk-sections.js';
import type { DocumentSource, RefusedFile } from './loaders/document.js';
import { type ParseOptions, parseDocument } from './loaders/parse-document.js';
import { DEFAULT_RRF_K, reciprocalRankFusion } from './retrieval/reciprocal-rank-fusion.js';
import { type CollectionInfo, type ChunkRow, KnowledgeStore } from './store/knowledge-store.js';

/** Bumped when parsing or chunking changes in a way that should re-chunk unchanged files. */
const PIPELINE_VERSION = 1;
const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const TEXT_SEARCH_CONFIG = /^[a-z_][a-z0-9_]{0,62}$/;
const EMBED_BATCH = 64;

export interface KnowledgeBaseOptions {
  /** A memory with SQL (`@entity/resources-memory`'s PGlite or PostgreSQL memory), started. */
  memory: Memory;
  /** Turns chunks and questions into vectors; use the same one for ingest and retrieval. */
  embedder: Embedder;
  chunking?: ChunkingOptions;
  /** PostgreSQL text search configuration for the lexical index (`english`, `simple`, `german`...). Default: `english`. */
  textSearch?: string;
  /** How files are parsed (e.g. HTML classes to leave out). */
  parsing?: ParseOptions;
}

/** Which collection an ingest writes: shared with every user, or one user's own. */
export interface CollectionRef {
  collection: string;
  /** The owner of a private collection; omit for a shared (organisation-wide) one. */
  userId?: string;
}

export interface IngestProgress {
  /** Files handled so far, out of `total`. */
  done: number;
  total: number;
  path: string;
  status: 'added' | 'updated' | 'unchanged' | 'failed';
}

export interface IngestOptions extends CollectionRef {
  source: DocumentSource;
  /** Called after each file. */
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Allow a source with no documents to empty a collection that has some. Default: false — an
   * empty source (a wrong path, an unmounted volume) is refused instead of deleting everything.
   */
  allowEmptySource?: boolean;
  signal?: AbortSignal;
}

export interface IngestReport {
  collection: string;
  scope: 'shared' | 'private';
  added: string[];
  updated: string[];
  unchanged: string[];
  /** Files that were indexed and are gone from the source: their chunks are deleted. */
  removed: string[];
  /** Files that could not be read or parsed; their previous version (if any) stays indexed. */
  failed: { path: string; error: string }[];
  refused: RefusedFile[];
  /** Chunks written by this ingest. */
  chunks: number;
}

export type RetrievalMode = 'hybrid' | 'vector' | 'lexical';

export interface SearchOptions {
  /** Whose private collections may be searched (besides the shared ones). */
  userId: string;
  query: string;
  /** Collection names; a user's private collection and a shared one of the same name are both searched. */
  collections: readonly string[];
  /** Chunks returned. Default: 5. */
  k?: number;
  /** Default: `hybrid` (vector and full-text lists fused by reciprocal rank). */
  mode?: RetrievalMode;
  /** Candidates taken from each list before fusion. Default: max(20, 4k). */
  candidates?: number;
  /** Reciprocal rank fusion constant. Default: 60. */
  rrfK?: number;
}

/** A retrieved chunk with where it came from. */
export interface RetrievedChunk {
  id: string;
  /** File path relative to the collection's root. */
  source: string;
  /** Heading path of the chunk's section. */
  headings: string[];
  content: string;
  collection: string;
  scope: 'shared' | 'private';
  /** Higher is better: cosine similarity (vector), `ts_rank_cd` (lexical) or the fused RRF score (hybrid). */
  score: number;
}

const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

function requireCollection(ref: CollectionRef): { name: string; owner: string } {
  if (typeof ref?.collection !== 'string' || !COLLECTION_NAME.test(ref.collection)) {
    throw new ValidationError(`collection "${String(ref?.collection)}" is not a valid name: use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit`);
  }
  return { name: ref.collection, owner: ref.userId === undefined ? '' : requireIdentifier(ref.userId, 'userId') };
}

function requireSql(memory: Memory): SqlMemory {
  if (!memory?.database) {
    throw new ConfigError([
      {
        path: 'resources.memory',
        message: 'the memory resource has no SQL database (memory.database)',
        fix: 'use the pglite or postgres memory of @entity/resources-memory (the knowledge base keeps its tables there)',
      },
    ]);
  }
  return memory.database;
}

/**
 * A knowledge base in the memory's database: ingest documents into collections, then search
 * them by meaning (vectors), by words (PostgreSQL full text) or both (hybrid).
 */
export class KnowledgeBase {
  readonly embedder: Embedder;
  readonly textSearch: string;
  private readonly store: KnowledgeStore;
  private readonly chunking: Required<ChunkingOptions>;
  private readonly parsing: ParseOptions;
  private prepared: Promise<void> | undefined;

  constructor(options: KnowledgeBaseOptions) {
    this.store = new KnowledgeStore(requireSql(options.memory));
    if (typeof options.embedder?.embed !== 'function') throw new ConfigError([{ path: 'embedder', message: 'is not an embedder', fix: 'pass an object with id, dimensions and embed(texts)' }]);
    this.embedder = options.embedder;
    this.chunking = resolveChunking(options.chunking);
    this.textSearch = options.textSearch ?? 'english';
    if (!TEXT_SEARCH_CONFIG.test(this.textSearch)) {
      throw new ConfigError([{ path: 'textSearch', message: `"${this.textSearch}" is not a text search configuration name`, fix: 'use a PostgreSQL configuration such as english, simple or german' }]);
    }
    this.parsing = options.parsing ?? {};
  }

  /** Creates the tables (once; later calls wait for the first). */
  prepare(): Promise<void> {
    this.prepared ??= this.store.prepare().catch((error: unknown) => {
      this.prepared = undefined;
      throw error;
    });
    return this.prepared;
  }

  /** What an unchanged file must have been made with to be skipped. */
  private get settings(): string {
    // The PDF limits only decide whether a file is read, not how: raising them must not re-chunk every file.
    return sha256(JSON.stringify([PIPELINE_VERSION, this.chunking, this.embedder.id, this.textSearch, { html: this.parsing.html }]));
  }

  private async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += EMBED_BATCH) {
      signal?.throwIfAborted();
      vectors.push(...(await this.embedder.embed(texts.slice(start, start + EMBED_BATCH), signal ? { signal } : undefined)));
    }
    if (vectors.length !== texts.length) throw new ValidationError(`the embedder returned ${vectors.length} vectors for ${texts.length} texts`);
    return vectors;
  }

  /**
   * Brings a collection up to date with `source`: new files are added, changed ones (by SHA-256
   * of their bytes, or changed settings) re-chunked, unchanged ones skipped without parsing, and
   * files gone from the source removed. Running it twice in a row writes nothing the second time.
   */
  async ingest(options: IngestOptions): Promise<IngestReport> {
    const { name, owner } = requireCollection(options);
    await this.prepare();
    const { files, refused } = await options.source.list();
    const collectionId = await this.store.ensureCollection(name, owner);
    const stored = await this.store.files(collectionId);
    if (files.length === 0 && stored.size > 0 && options.allowEmptySource !== true) {
      throw new ValidationError(
        `${options.source.description} has no documents, but collection "${name}" holds ${stored.size} files; refusing to delete them all. Check the path, or pass allowEmptySource: true (or use deleteCollection) to empty it.`,
      );
    }
    const settings = this.settings;
    const report: IngestReport = { collection: name, scope: owner === '' ? 'shared' : 'private', added: [], updated: [], unchanged: [], removed: [], failed: [], refused, chunks: 0 };
    let done = 0;
    for (const file of files) {
      options.signal?.throwIfAborted();
      let status: IngestProgress['status'];
      try {
        const bytes = await file.read();
        const contentHash = sha256(bytes);
        const previous = stored.get(file.path);
        if (previous && previous.contentHash === contentHash && previous.settings === settings) {
          status = 'unchanged';
        } else {
          const sections = await parseDocument(file.path, file.format, bytes, this.parsing);
          const chunks = chunkSections(sections, this.chunking);
          const embeddings = await this.embed(
            chunks.map((chunk) => (chunk.headings.length > 0 ? `${chunk.headings.join(' > ')}\n\n${chunk.text}` : chunk.text)),
            options.signal,
          );
          await this.store.replaceFile({ collectionId, path: file.path, contentHash, settings, embedder: this.embedder.id, textSearch: this.textSearch, chunks, embeddings });
          report.chunks += chunks.length;
          status = previous ? 'updated' : 'added';
        }
      } catch (error) {
        if (options.signal?.aborted) throw error;
        status = 'failed';
        report.failed.push({ path: file.path, error: error instanceof Error ? error.message : String(error) });
      }
      if (status !== 'failed') report[status].push(file.path);
      done++;
      options.onProgress?.({ done, total: files.length, path: file.path, status });
    }
    // A file that failed to read this time keeps its last indexed version.
    report.removed = await this.store.removeFilesExcept(collectionId, files.map((file) => file.path));
    await this.store.removeStaleChunks(collectionId);
    return report;
  }

  /** Collections `userId` can read (shared ones and their own), with file and chunk counts. */
  async collections(userId: string): Promise<CollectionInfo[]> {
    await this.prepare();
    return this.store.collections(requireIdentifier(userId, 'userId'));
  }

  /** Deletes a collection with its files and chunks; returns whether it existed. */
  async deleteCollection(ref: CollectionRef): Promise<boolean> {
    const { name, owner } = requireCollection(ref);
    await this.prepare();
    return this.store.deleteCollection(name, owner);
  }

  /**
   * The `k` best chunks for `query` among the shared collections named and `userId`'s own
   * collections of those names. Another user's private chunks are never candidates: the access
   * rule is part of each SQL query.
   */
  async search(options: SearchOptions): Promise<RetrievedChunk[]> {
    const userId = requireIdentifier(options.userId, 'userId');
    if (typeof options.query !== 'string') throw new ValidationError('query must be a string');
    const query = options.query.trim().slice(0, 4000);
    if (query === '') return [];
    if (!Array.isArray(options.collections) || options.collections.length === 0) throw new ValidationError('collections must name at least one collection');
    for (const collection of options.collections) requireCollection({ collection });
    const k = options.k ?? 5;
    if (!Number.isInteger(k) || k < 1 || k > 100) throw new ValidationError(`k is ${String(k)}; use a whole number from 1 to 100`);
    const mode = options.mode ?? 'hybrid';
    if (mode !== 'hybrid' && mode !== 'vector' && mode !== 'lexical') throw new ValidationError(`mode "${String(mode)}" is not hybrid, vector or lexical`);
    const candidates = Math.max(k, options.candidates ?? Math.max(20, 4 * k));
    await this.prepare();
    const lists: ChunkRow[][] = [];
    if (mode !== 'lexical') {
      const [embedding] = await this.embed([query]);
      lists.push(await this.store.vectorSearch({ userId, collections: options.collections, embedder: this.embedder.id, embedding: embedding!, limit: mode === 'vector' ? k : candidates }));
    }
    if (mode !== 'vector') {
      lists.push(await this.store.lexicalSearch({ userId, collections: options.collections, textSearch: this.textSearch, query, limit: mode === 'lexical' ? k : candidates }));
    }
    const ranked =
      mode === 'hybrid'
        ? reciprocalRankFusion(lists, (row) => row.id, options.rrfK ?? DEFAULT_RRF_K).map(({ item, score }) => ({ ...item, score }))
        : lists[0]!;
    return ranked.slice(0, k).map((row) => ({
      id: row.id,
      source: row.path,
      headings: row.headings,
      content: row.content,
      collection: row.collection,
      scope: row.owner === '' ? 'shared' : 'private',
      score: row.score,
    }));
  }
}
