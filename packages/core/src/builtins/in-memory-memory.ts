import type { JsonValue } from '../contracts/json.js';
import type { ConversationRef, ConversationSummary, Memory, StoredMessage } from '../contracts/memory.js';
import type { ChatMessage } from '../contracts/message.js';
import { ValidationError } from '../errors/error-kinds.js';
import { copyJson, requireConversationRef, requireIdentifier, requireJson, requireMessages, requireOptionalCount } from './memory-input.js';

const conversationKey = (ref: ConversationRef) => JSON.stringify([ref.userId, ref.conversationId]);

/**
 * Process-local memory (key-value and conversations, no vectors or SQL). Used when no `memory`
 * resource is configured and `@entity/resources-memory` is not installed; nothing survives a restart.
 * It keeps the whole Memory contract (the conformance suite of `@entity/resources-memory/testing`
 * runs against it), so what works here works on the database-backed memories.
 */
export function inMemoryMemory(): Memory {
  const values = new Map<string, Map<string, string>>();
  const conversations = new Map<string, { ref: ConversationRef; messages: StoredMessage[] }>();
  const userValues = (userId: string) => {
    const map = values.get(userId) ?? new Map<string, string>();
    values.set(userId, map);
    return map;
  };
  return {
    async get<T extends JsonValue>(userId: string, key: string) {
      requireIdentifier(userId, 'userId');
      requireIdentifier(key, 'key');
      const raw = values.get(userId)?.get(key);
      // Stored as JSON so callers can never mutate what is stored through a returned object.
      return raw === undefined ? undefined : (JSON.parse(raw) as T);
    },
    async set(userId, key, value) {
      requireIdentifier(userId, 'userId');
      requireIdentifier(key, 'key');
      requireJson(value, 'value');
      userValues(userId).set(key, JSON.stringify(value));
    },
    async delete(userId, key) {
      requireIdentifier(userId, 'userId');
      requireIdentifier(key, 'key');
      return values.get(userId)?.delete(key) ?? false;
    },
    async list(userId, prefix = '') {
      requireIdentifier(userId, 'userId');
      if (typeof prefix !== 'string') throw new ValidationError('prefix must be a string');
      return [...(values.get(userId)?.keys() ?? [])].filter((key) => key.startsWith(prefix)).sort();
    },
    async appendMessages(ref, messages) {
      requireConversationRef(ref);
      requireMessages(messages);
      if (messages.length === 0) return [];
      const key = conversationKey(ref);
      const conversation = conversations.get(key) ?? { ref: { userId: ref.userId, conversationId: ref.conversationId }, messages: [] };
      conversations.set(key, conversation);
      const first = (conversation.messages.at(-1)?.sequence ?? 0) + 1;
      const createdAt = new Date();
      const stored = messages.map((message, index) => ({
        sequence: first + index,
        message: copyJson(message) as ChatMessage,
        createdAt,
      }));
      conversation.messages.push(...stored);
      return stored.map(copyOf);
    },
    async loadMessages(ref, options = {}) {
      requireConversationRef(ref);
      const last = requireOptionalCount(options.last, 'last');
      if (last === 0) return [];
      const messages = conversations.get(conversationKey(ref))?.messages ?? [];
      return (last === undefined ? messages : messages.slice(-last)).map(copyOf);
    },
    async listConversations(userId) {
      requireIdentifier(userId, 'userId');
      const summaries: ConversationSummary[] = [];
      for (const { ref, messages } of conversations.values()) {
        if (ref.userId !== userId || messages.length === 0) continue;
        summaries.push({
          conversationId: ref.conversationId,
          messageCount: messages.length,
          lastMessageAt: new Date(messages.at(-1)!.createdAt),
        });
      }
      return summaries.sort(
        (a, b) => b.lastMessageAt.getTime() - a.lastMessageAt.getTime() || (a.conversationId < b.conversationId ? -1 : a.conversationId > b.conversationId ? 1 : 0),
      );
    },
    async deleteConversation(ref) {
      requireConversationRef(ref);
      return conversations.delete(conversationKey(ref));
    },
  };
}

/** A copy the caller may change without touching what is stored. */
const copyOf = (item: StoredMessage): StoredMessage => ({
  sequence: item.sequence,
  message: copyJson(item.message),
  createdAt: new Date(item.createdAt),
});
