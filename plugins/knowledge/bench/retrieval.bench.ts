// Retrieval quality of @entity/plugin-knowledge on the PostgreSQL 15 manual: recall@5 and MRR@10
// of vector, lexical and hybrid search, with the offline hashing embedder and with an LLM
// embedder served by the loopback OpenAI server. `pnpm bench` (after `pnpm build`).
//
// The labelled set is bench/postgres-manual-questions.jsonl: questions written as a user would ask
// them, each with the file and the section heading that answers it. A hit is a retrieved chunk of
// that file whose heading path contains that heading.
//
// Database: PostgreSQL at DATABASE_URL when set (a fresh schema, dropped afterwards), else an
// in-memory PGlite. BENCH_LIMIT=n evaluates only the first n questions.
import { readFileSync } from 'node:fs';
import { pgliteMemory, postgresMemory, hashingEmbedder, llmEmbedder, type DatabaseMemory, type Embedder } from '@entity/resources-memory';
import { inMemoryLogger } from '@entity/core';
import { openai } from '@entity/resources-llm';
import { startOpenAIServer } from '@entity/test-servers';
import pg from 'pg';
import { folderSource, KnowledgeBase, type RetrievalMode } from '../dist/index.js';
import { locateManual } from './postgres-manual.ts';

interface Question {
  id: string;
  question: string;
  file: string;
  heading: string;
}

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();
const questions: Question[] = readFileSync(new URL('./postgres-manual-questions.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as Question)
  .slice(0, Number(process.env.BENCH_LIMIT ?? Number.MAX_SAFE_INTEGER));

const manual = locateManual();
console.error(`Corpus: ${manual.version} (${manual.folder}), licence: ${manual.licence}; ${questions.length} questions`);

async function openMemory(): Promise<{ memory: DatabaseMemory; where: string; cleanup: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const schema = `entity_knowledge_bench_${process.pid}`;
    const memory = postgresMemory({ url, schema, embedder: 'hashing' });
    const cleanup = async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    };
    return { memory, where: 'PostgreSQL', cleanup };
  }
  return { memory: pgliteMemory({ path: 'memory://knowledge-bench', embedder: 'hashing' }), where: 'PGlite (in memory)', cleanup: async () => undefined };
}

interface Scores {
  recallAt5: number;
  mrr: number;
  fileRecallAt5: number;
  msPerQuery: number;
}

async function evaluate(knowledge: KnowledgeBase, collection: string, mode: RetrievalMode): Promise<Scores> {
  let hits = 0;
  let fileHits = 0;
  let reciprocal = 0;
  const started = performance.now();
  for (const question of questions) {
    const found = await knowledge.search({ userId: 'bench', query: question.question, collections: [collection], k: 10, mode });
    const expected = normalise(question.heading);
    const rank = found.findIndex((chunk) => chunk.source === question.file && chunk.headings.some((heading) => normalise(heading) === expected));
    if (rank >= 0 && rank < 5) hits++;
    if (rank >= 0) reciprocal += 1 / (rank + 1);
    if (found.slice(0, 5).some((chunk) => chunk.source === question.file)) fileHits++;
  }
  const count = questions.length;
  return { recallAt5: hits / count, mrr: reciprocal / count, fileRecallAt5: fileHits / count, msPerQuery: (performance.now() - started) / count };
}

const { memory, where, cleanup } = await openMemory();
await memory.start();
const server = await startOpenAIServer({});
const llm = openai({ baseURL: `${server.origin}/v1`, apiKey: 'sk-bench', model: 'gpt-4o-mini', embeddingModel: 'text-embedding-3-small', embeddingDimensions: 384 });
await llm.start?.({
  name: 'llm',
  log: inMemoryLogger({ echoLevel: false }),
  has: () => false,
  resource: () => {
    throw new Error('the benchmark starts only the llm');
  },
  signal: new AbortController().signal,
});
const embedders: { name: string; embedder: Embedder }[] = [
  { name: 'hashing (offline)', embedder: hashingEmbedder() },
  { name: 'LLM (loopback OpenAI /v1/embeddings)', embedder: llmEmbedder(llm as Parameters<typeof llmEmbedder>[0], 384) },
];

const rows: string[][] = [];
try {
  for (const [index, { name, embedder }] of embedders.entries()) {
    const knowledge = new KnowledgeBase({ memory, embedder, parsing: { html: { ignoreClasses: ['navheader', 'navfooter'] } } });
    const collection = `postgres-manual-${index}`;
    const started = performance.now();
    const report = await knowledge.ingest({
      collection,
      source: folderSource(manual.folder),
      onProgress: ({ done, total }) => {
        if (done % 200 === 0 || done === total) console.error(`  ${name}: ingested ${done}/${total} files`);
      },
    });
    const seconds = (performance.now() - started) / 1000;
    console.error(`  ${name}: ${report.added.length} files, ${report.chunks} chunks in ${seconds.toFixed(1)} s; failed ${report.failed.length}`);
    const again = performance.now();
    const second = await knowledge.ingest({ collection, source: folderSource(manual.folder) });
    console.error(`  ${name}: re-ingest of unchanged files: ${second.unchanged.length} unchanged, ${second.chunks} chunks written in ${((performance.now() - again) / 1000).toFixed(1)} s`);
    // Lexical search does not depend on the embedder: measured once.
    for (const mode of index === 0 ? (['vector', 'lexical', 'hybrid'] as const) : (['vector', 'hybrid'] as const)) {
      const scores = await evaluate(knowledge, collection, mode);
      rows.push([mode === 'lexical' ? '(none: PostgreSQL full text)' : name, mode, scores.recallAt5.toFixed(3), scores.mrr.toFixed(3), scores.fileRecallAt5.toFixed(3), scores.msPerQuery.toFixed(1)]);
      console.error(`  ${name} ${mode}: recall@5 ${scores.recallAt5.toFixed(3)}, MRR@10 ${scores.mrr.toFixed(3)}`);
    }
  }
} finally {
  await llm.stop?.();
  await server.close();
  await memory.stop();
  await cleanup();
}

const header = ['embedder', 'mode', 'recall@5 (section)', 'MRR@10 (section)', 'recall@5 (file)', 'ms/query'];
console.log(`\nRetrieval on the ${manual.version}, ${questions.length} questions, ${where}, chunks of ≤350 estimated tokens (50 overlap)\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
