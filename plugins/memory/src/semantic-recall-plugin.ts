import { type Context, definePlugin, type Memory, type Plugin, type VectorMatch, type VectorMemory } from '@entity/core';
import { z } from 'zod';
import { clip } from './conversation-transcript.js';

/** `kind` in the metadata of the vector documents this plugin writes, so searches see only them. */
export const RECALL_DOCUMENT_KIND = 'entity:recall';
/** How long after indexing a document may be deleted as belonging to a deleted conversation. */
const INDEX_SETTLE_MS = 60_000;
export const RECALL_LABEL = 'Related messages from earlier conversations with this user';

export const semanticRecallConfigSchema = z.strictObject({
  /** Exchanges recalled per turn at most. Default: 3. */
  topK: z.number().int().min(1).max(20).default(3),
  /**
   * Cosine distance an exchange may be from the user's message to be recalled (0 = same
   * direction, 2 = opposite); lower is stricter. Default: 0.8 — with the built-in hashing
   * embedder a related exchange measured 0.72-0.76 from a question about it and unrelated ones
   * 0.9-1.03; with a model embedder, measure your own pairs and tighten it.
   */
  maxDistance: z.number().min(0).max(2).default(0.8),
  /** Characters of each side of an exchange stored and shown. Default: 1 000. */
  maxCharsPerMessage: z.number().int().min(50).max(20_000).default(1_000),
});
export type SemanticRecallConfig = z.input<typeof semanticRecallConfigSchema>;
type Config = z.output<typeof semanticRecallConfigSchema>;

function vectorsOf(memory: Memory, plugin: string) {
  if (!memory.vectors) {
    throw new Error(
      `${plugin} needs a memory resource with vector search; the configured one has none. ` +
        'Use @entity/resources-memory (PGlite, the zero-config default, or Postgres with pgvector).',
    );
  }
  return memory.vectors;
}

function render(matches: readonly VectorMatch[]): string {
  return matches
    .map((match) => {
      const at = typeof match.metadata.at === 'string' ? ` (${match.metadata.at.slice(0, 10)})` : '';
      return `- Conversation ${String(match.metadata.conversationId)}${at}:\n${match.content.replace(/^/gm, '  ')}`;
    })
    .join('\n');
}

/**
 * Drops the exchanges of conversations the user deleted (deleting a conversation does not reach
 * the vector documents) and deletes those documents, so what the user deleted never comes back
 * in another conversation. One `loadMessages(last: 1)` per distinct conversation among the matches.
 */
async function dropDeletedConversations(context: Context, vectors: VectorMemory, matches: readonly VectorMatch[]): Promise<VectorMatch[]> {
  const conversationIds = [...new Set(matches.map((match) => String(match.metadata.conversationId)))];
  const gone = new Set<string>();
  await Promise.all(
    conversationIds.map(async (conversationId) => {
      const last = await context.memory.loadMessages({ userId: context.userId, conversationId }, { last: 1 });
      if (last.length === 0) gone.add(conversationId);
    }),
  );
  if (gone.size === 0) return [...matches];
  // The index is written in DELIVER just before the turn is saved, so a conversation's first
  // exchange is briefly indexed but not yet stored: only documents older than that are deleted.
  const settledBefore = Date.now() - INDEX_SETTLE_MS;
  const stale = matches.filter(
    (match) => gone.has(String(match.metadata.conversationId)) && typeof match.metadata.at === 'string' && Date.parse(match.metadata.at) < settledBefore,
  );
  if (stale.length > 0) {
    try {
      await vectors.deleteDocuments(context.userId, stale.map((match) => match.id));
    } catch (error) {
      context.log.warn(`memory:semantic-recall could not delete the recall documents of deleted conversations: ${(error as Error).message}`);
    }
  }
  return matches.filter((match) => !gone.has(String(match.metadata.conversationId)));
}

/**
 * Finds this user's exchanges from other conversations that are close to the new message and
 * adds them to this run's system prompt (never to the history). THINK, first iteration.
 */
const recallPlugin = () =>
  definePlugin({
    name: 'memory:semantic-recall',
    kind: 'prompt',
    dependencies: ['memory'],
    description: "Recalls related messages from the user's other conversations",
    config: semanticRecallConfigSchema,
    init({ resource }) {
      vectorsOf(resource<Memory>('memory'), 'memory:semantic-recall');
    },
    async execute(context, config: Config) {
      if (context.iteration !== 1) return;
      const vectors = vectorsOf(context.memory, 'memory:semantic-recall');
      // The current conversation's own exchanges are already in the history: ask for more and drop them.
      const found = await vectors.search({ userId: context.userId, text: context.message, k: config.topK * 4, filter: { kind: RECALL_DOCUMENT_KIND } });
      const candidates = found.filter((match) => match.metadata.conversationId !== context.conversationId && match.distance <= config.maxDistance);
      const matches = (await dropDeletedConversations(context, vectors, candidates)).slice(0, config.topK);
      if (matches.length === 0) return;
      context.addContext(render(matches), { label: RECALL_LABEL });
      context.annotate(
        'memory:recall',
        matches.map((match) => ({ id: match.id, conversationId: String(match.metadata.conversationId), distance: Number(match.distance.toFixed(4)) })),
      );
    },
  });

/**
 * Stores each answered exchange (the user's message and the final answer) as a vector document
 * of the user, for `memory:semantic-recall` in later conversations. DELIVER, before the built-in
 * plugin saves the turn. An indexing failure is logged, not raised: the user's answer matters
 * more than the index, and the exchange is still saved in the conversation.
 */
const recallIndexPlugin = () =>
  definePlugin({
    name: 'memory:recall-index',
    kind: 'output',
    dependencies: ['memory'],
    description: 'Indexes answered exchanges for semantic recall',
    config: semanticRecallConfigSchema,
    async execute(context, config: Config) {
      const newMessages = context.advanced.newMessages;
      const answer = newMessages.at(-1);
      if (context.responded || !answer || answer.role !== 'assistant' || answer.toolCalls?.length || answer.content.trim() === '') return;
      const vectors = vectorsOf(context.memory, 'memory:recall-index');
      const content = `User: ${clip(context.message, config.maxCharsPerMessage)}\nAssistant: ${clip(answer.content, config.maxCharsPerMessage)}`;
      try {
        await vectors.addDocuments([
          {
            userId: context.userId,
            content,
            metadata: { kind: RECALL_DOCUMENT_KIND, conversationId: context.conversationId, runId: context.runId, at: new Date().toISOString() },
          },
        ]);
      } catch (error) {
        if (context.signal.aborted) throw error;
        context.log.warn(`memory:recall-index could not index this exchange: ${(error as Error).message}`);
      }
    },
  });

/**
 * Both halves of semantic recall (`memory:semantic-recall` in THINK, `memory:recall-index` in
 * DELIVER), new objects per call: `plugins: semanticRecall()` in code, or `export: semanticRecall`
 * in agent.yaml (a factory, called once per agent; its `config` applies to both halves).
 */
export const semanticRecall = (): Plugin<unknown>[] => [recallPlugin() as Plugin<unknown>, recallIndexPlugin() as Plugin<unknown>];
