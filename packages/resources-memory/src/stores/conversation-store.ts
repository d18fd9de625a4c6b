import type {
  ChatMessage,
  ConversationMemory,
  ConversationRef,
  ConversationSummary,
  LoadMessagesOptions,
  StoredMessage,
} from '@entity/core';
import { ValidationError } from '@entity/core';
import type { Database } from '../database.js';
import type { SqlExecutor } from '../drivers/sql-driver.js';
import { requireCount, requireIdentifier, requireMessages } from '../validate-input.js';

/** How long conversation history is kept. Both limits are optional; without them nothing is deleted. */
export interface RetentionOptions {
  /** Messages older than this (ms) are deleted and never loaded. Default: kept forever. */
  maxAgeMs?: number;
  /** Only the newest N messages of each conversation are kept. Default: unlimited. */
  maxMessagesPerConversation?: number;
}

interface MessageRow {
  sequence: number | string;
  message: ChatMessage;
  created_at: Date;
}

const MAX_MESSAGES_PER_APPEND = 10_000;

function requireRef(ref: ConversationRef): ConversationRef {
  if (typeof ref !== 'object' || ref === null) throw new ValidationError('A conversation reference { userId, conversationId } is required');
  requireIdentifier(ref.userId, 'userId');
  requireIdentifier(ref.conversationId, 'conversationId');
  return ref;
}

const toStored = (row: MessageRow): StoredMessage => ({
  sequence: Number(row.sequence),
  message: row.message,
  createdAt: row.created_at,
});

/**
 * Append-only history. An append reserves its block of sequence numbers by bumping
 * `entity_conversations.last_sequence` (a row lock serialises appends to one conversation)
 * and inserts its rows in the same transaction: concurrent appends get disjoint, gap-free
 * blocks, and a crash mid-way leaves no row behind.
 */
export class ConversationStore implements ConversationMemory {
  constructor(
    private readonly database: () => Database,
    private readonly now: () => number,
    private readonly retention: RetentionOptions,
  ) {}

  private cutoff(): Date | undefined {
    return this.retention.maxAgeMs === undefined ? undefined : new Date(this.now() - this.retention.maxAgeMs);
  }

  async appendMessages(ref: ConversationRef, messages: readonly ChatMessage[]): Promise<StoredMessage[]> {
    requireRef(ref);
    requireMessages(messages);
    if (messages.length === 0) return [];
    if (messages.length > MAX_MESSAGES_PER_APPEND) throw new ValidationError(`At most ${MAX_MESSAGES_PER_APPEND} messages per append`);
    const { userId, conversationId } = ref;
    const createdAt = new Date(this.now());
    return this.database().transaction(
      'conversation append',
      async (sql) => {
        const reserved = await sql.query<{ last_sequence: number | string }>(
          `INSERT INTO entity_conversations (user_id, conversation_id, last_sequence, created_at, updated_at)
           VALUES ($1, $2, $3, $4, $4)
           ON CONFLICT (user_id, conversation_id) DO UPDATE
             SET last_sequence = entity_conversations.last_sequence + EXCLUDED.last_sequence, updated_at = EXCLUDED.updated_at
           RETURNING last_sequence`,
          [userId, conversationId, messages.length, createdAt],
        );
        const last = Number(reserved.rows[0]!.last_sequence);
        const first = last - messages.length + 1;
        const inserted = await sql.query<MessageRow>(
          `INSERT INTO entity_messages (user_id, conversation_id, sequence, role, message, created_at)
           SELECT $1, $2, $3::bigint + item.position - 1, item.role, item.message::jsonb, $4
           FROM unnest($5::text[], $6::text[]) WITH ORDINALITY AS item(role, message, position)
           RETURNING sequence, message, created_at`,
          [userId, conversationId, first, createdAt, messages.map((message) => message.role), messages.map((message) => JSON.stringify(message))],
        );
        await this.applyRetention(sql, ref, last);
        return inserted.rows.map(toStored).sort((a, b) => a.sequence - b.sequence);
      },
      { idempotent: false },
    );
  }

  private async applyRetention(sql: SqlExecutor, ref: ConversationRef, last: number): Promise<void> {
    const { maxMessagesPerConversation } = this.retention;
    if (maxMessagesPerConversation !== undefined && last > maxMessagesPerConversation) {
      await sql.query('DELETE FROM entity_messages WHERE user_id = $1 AND conversation_id = $2 AND sequence <= $3', [
        ref.userId,
        ref.conversationId,
        last - maxMessagesPerConversation,
      ]);
    }
    const cutoff = this.cutoff();
    if (cutoff) {
      await sql.query('DELETE FROM entity_messages WHERE user_id = $1 AND conversation_id = $2 AND created_at < $3', [
        ref.userId,
        ref.conversationId,
        cutoff,
      ]);
    }
  }

  async loadMessages(ref: ConversationRef, options: LoadMessagesOptions = {}): Promise<StoredMessage[]> {
    requireRef(ref);
    const last = requireCount(options.last, 'last', Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (last === 0) return [];
    const cutoff = this.cutoff() ?? new Date(0);
    const result = await this.database().run(
      'conversation load',
      (sql) =>
        options.last === undefined
          ? sql.query<MessageRow>(
              `SELECT sequence, message, created_at FROM entity_messages
               WHERE user_id = $1 AND conversation_id = $2 AND created_at >= $3 ORDER BY sequence`,
              [ref.userId, ref.conversationId, cutoff],
            )
          : sql.query<MessageRow>(
              `SELECT * FROM (
                 SELECT sequence, message, created_at FROM entity_messages
                 WHERE user_id = $1 AND conversation_id = $2 AND created_at >= $3 ORDER BY sequence DESC LIMIT $4
               ) AS newest ORDER BY sequence`,
              [ref.userId, ref.conversationId, cutoff, last],
            ),
      { idempotent: true },
    );
    return result.rows.map(toStored);
  }

  async listConversations(userId: string): Promise<ConversationSummary[]> {
    requireIdentifier(userId, 'userId');
    const result = await this.database().run(
      'conversation list',
      (sql) =>
        sql.query<{ conversation_id: string; message_count: number | string; last_message_at: Date }>(
          `SELECT conversation_id, count(*) AS message_count, max(created_at) AS last_message_at
           FROM entity_messages WHERE user_id = $1 AND created_at >= $2
           GROUP BY conversation_id ORDER BY last_message_at DESC, conversation_id COLLATE "C"`,
          [userId, this.cutoff() ?? new Date(0)],
        ),
      { idempotent: true },
    );
    return result.rows.map((row) => ({
      conversationId: row.conversation_id,
      messageCount: Number(row.message_count),
      lastMessageAt: row.last_message_at,
    }));
  }

  async deleteConversation(ref: ConversationRef): Promise<boolean> {
    requireRef(ref);
    return this.database().transaction(
      'conversation delete',
      async (sql) => {
        // The conversation row first, in the same order as an append: deleting it waits for
        // an append in flight (which holds that row) to commit, and holds off the next one
        // until this transaction ends. The message delete then runs on a snapshot taken after
        // that append, so none of its rows survive next to a restarted sequence.
        const conversation = await sql.query('DELETE FROM entity_conversations WHERE user_id = $1 AND conversation_id = $2', [
          ref.userId,
          ref.conversationId,
        ]);
        const messages = await sql.query('DELETE FROM entity_messages WHERE user_id = $1 AND conversation_id = $2', [ref.userId, ref.conversationId]);
        return messages.rowCount > 0 || conversation.rowCount > 0;
      },
      { idempotent: true },
    );
  }

  /** Deletes every message older than `maxAgeMs` across all users; returns how many. No-op without `maxAgeMs`. */
  async pruneExpired(): Promise<number> {
    const cutoff = this.cutoff();
    if (!cutoff) return 0;
    const result = await this.database().run(
      'retention prune',
      (sql) => sql.query('DELETE FROM entity_messages WHERE created_at < $1', [cutoff]),
      { idempotent: true },
    );
    return result.rowCount;
  }
}
