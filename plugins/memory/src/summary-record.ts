import type { KeyValueMemory } from '@entity/core';
import { z } from 'zod';

/**
 * The running summary of one conversation, kept as its own key-value row of the user, apart
 * from the messages it summarises (they stay in the conversation untouched).
 */
export const summaryRecordSchema = z.object({
  /** The last message sequence the summary covers; later messages are read as they are. */
  upToSequence: z.number().int().min(0),
  text: z.string(),
  /** How many messages the summary covers in total. */
  messageCount: z.number().int().min(0),
  updatedAt: z.string(),
});
export type SummaryRecord = z.infer<typeof summaryRecordSchema>;

export const summaryKey = (conversationId: string) => `entity:summary:${conversationId}`;

/** The stored summary, or undefined when there is none or the row is not one (it is then ignored and rewritten). */
export async function readSummary(memory: KeyValueMemory, userId: string, conversationId: string): Promise<SummaryRecord | undefined> {
  const parsed = summaryRecordSchema.safeParse(await memory.get(userId, summaryKey(conversationId)));
  return parsed.success ? parsed.data : undefined;
}

/**
 * Stores `record` unless a summary covering more messages was stored meanwhile (two turns of
 * one conversation on two workers may both summarise; the one that covers more wins). The
 * check and the write are two calls, so a write can still land between them: the loser's
 * summary is then kept until the next turn summarises again — never a lost message, since the
 * originals are untouched.
 */
export async function writeSummaryIfNewer(memory: KeyValueMemory, userId: string, conversationId: string, record: SummaryRecord): Promise<boolean> {
  const current = await readSummary(memory, userId, conversationId);
  if (current && current.upToSequence >= record.upToSequence) return false;
  await memory.set(userId, summaryKey(conversationId), record);
  return true;
}
