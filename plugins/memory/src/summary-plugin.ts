import { type ChatMessage, type Context, definePlugin, type LLM, type StoredMessage } from '@entity/core';
import { z } from 'zod';
import { transcript } from './conversation-transcript.js';
import { readSummary, type SummaryRecord, summaryKey, writeSummaryIfNewer } from './summary-record.js';
import { estimateTotalTokens } from './token-estimate.js';

export const summaryConfigSchema = z.strictObject({
  /**
   * Tokens of unsummarised history the model may see. Past it, the oldest messages are folded
   * into the summary until what is left fits in half the budget. Default: 2 000.
   */
  budgetTokens: z.number().int().min(200).max(1_000_000).default(2_000),
  /** Messages of history read to decide; older ones are covered by the summary. Default: 500. */
  scanMessages: z.number().int().min(10).max(10_000).default(500),
  /** The LLM resource that writes summaries (a cheaper model, for example). Default: `llm`. */
  llmResource: z.string().min(1).default('llm'),
  /** Longest summary asked for, in words. Default: 250. */
  summaryWords: z.number().int().min(20).max(2_000).default(250),
});
export type SummaryConfig = z.input<typeof summaryConfigSchema>;

export const SUMMARY_LABEL = 'Summary of the earlier conversation';

const SUMMARISER_INSTRUCTIONS = (words: number) =>
  'You keep the running summary of a conversation between a user and an assistant. ' +
  'Merge the previous summary (if any) with the new messages into one summary of at most ' +
  `${words} words. Keep facts, names, numbers, decisions, open questions and the user's preferences; ` +
  'drop greetings and filler. Write plain prose in the third person. Answer with the summary only.';

/**
 * What to fold into the summary: the oldest messages, up to a user message, so that what is
 * left fits in `keepTokens`. Cutting only before a user message keeps a tool call and its result
 * on the same side (providers reject a tool result without its call). Empty when no cut helps.
 */
export function splitForSummary(messages: readonly StoredMessage[], keepTokens: number): { fold: StoredMessage[]; keep: StoredMessage[] } {
  let cut = -1;
  for (let index = 1; index < messages.length; index++) {
    if (messages[index]!.message.role !== 'user') continue;
    cut = index;
    if (estimateTotalTokens(messages.slice(index).map((item) => item.message)) <= keepTokens) break;
  }
  if (cut <= 0) return { fold: [], keep: [...messages] };
  return { fold: messages.slice(0, cut), keep: messages.slice(cut) };
}

async function summarise(context: Context, config: z.output<typeof summaryConfigSchema>, previous: SummaryRecord | undefined, fold: readonly StoredMessage[]): Promise<string> {
  const llm = context.resource<LLM>(config.llmResource);
  const messages: ChatMessage[] = [
    { role: 'system', content: SUMMARISER_INSTRUCTIONS(config.summaryWords) },
    {
      role: 'user',
      content: `${previous ? `Previous summary:\n${previous.text}\n\n` : ''}New messages:\n${transcript(fold.map((item) => item.message))}`,
    },
  ];
  const response = await llm.chat({ messages, signal: context.signal });
  context.advanced.addUsage(response.usage);
  const text = response.content.trim();
  // An empty summary would silently drop what it should cover from the model's view.
  if (text === '') throw new Error(`The "${config.llmResource}" model returned an empty summary`);
  return text;
}

/**
 * Keeps long conversations within a token budget: the model sees a running summary of the
 * older messages (in this run's system prompt) and the recent ones as they are. The summary is
 * its own row (`entity:summary:<conversationId>` in the user's key-value memory); the messages
 * it covers stay in the conversation, so nothing is lost and `entity` tools still show them.
 * A THINK plugin: it runs after the built-in history load and before the built-in model call.
 */
export const summaryPlugin = definePlugin({
  name: 'memory:summary',
  kind: 'prompt',
  dependencies: ['memory'],
  description: 'Summarises conversation history past a token budget; keeps the originals',
  config: summaryConfigSchema,
  async execute(context, config) {
    if (context.iteration !== 1) return;
    const { userId, conversationId } = context;
    let previous = await readSummary(context.memory, userId, conversationId);
    const stored = await context.memory.loadMessages({ userId, conversationId }, { last: config.scanMessages });
    // A summary past the conversation's last message belongs to a conversation that was deleted
    // (sequences start again at 1 when an id is reused): using it would show the model what the
    // user deleted and hide the new conversation's first messages. It is deleted with it.
    if (previous && (stored.at(-1)?.sequence ?? 0) < previous.upToSequence) {
      await context.memory.delete(userId, summaryKey(conversationId));
      previous = undefined;
    }
    let recent = stored.filter((item) => item.sequence > (previous?.upToSequence ?? -1));
    let summary = previous;
    if (estimateTotalTokens(recent.map((item) => item.message)) > config.budgetTokens) {
      const { fold, keep } = splitForSummary(recent, Math.floor(config.budgetTokens / 2));
      if (fold.length > 0) {
        const text = await summarise(context, config, previous, fold);
        summary = {
          upToSequence: fold.at(-1)!.sequence,
          text,
          messageCount: (previous?.messageCount ?? 0) + fold.length,
          updatedAt: new Date().toISOString(),
        };
        await writeSummaryIfNewer(context.memory, userId, conversationId, summary);
        recent = keep;
      }
    }
    if (!summary) return;
    context.advanced.setHistory(dropLeadingToolMessages(recent.map((item) => item.message)));
    context.addContext(summary.text, { label: SUMMARY_LABEL });
    context.annotate('memory:summary', { upToSequence: summary.upToSequence, messageCount: summary.messageCount, recentMessages: recent.length });
  },
});

function dropLeadingToolMessages(messages: ChatMessage[]): ChatMessage[] {
  let start = 0;
  while (start < messages.length && messages[start]!.role === 'tool') start++;
  return messages.slice(start);
}
