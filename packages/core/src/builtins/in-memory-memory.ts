import type { JsonValue } from '../contracts/json.js';
import type { ConversationRef, ConversationSummary, Memory, StoredMessage } from '../contracts/memory.js';
import type { ChatMessage } from '../contracts/message.js';

const conversationKey = (ref: ConversationRef) => JSON.stringify([ref.userId, ref.conversationId]);

/**
 * Process-local memory (key-value and conversations, no vectors or SQL). Used when no `memory`
 * resource is configured and `@entity/resources-memory` is not installed; nothing survives a restart.
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
      const raw = values.get(userId)?.get(key);
      // Stored as JSON so callers can never mutate what is stored through a returned object.
      return raw === undefined ? undefined : (JSON.parse(raw) as T);
    },
    async set(userId, key, value) {
      userValues(userId).set(key, JSON.stringify(value));
    },
    async delete(userId, key) {
      return values.get(userId)?.delete(key) ?? false;
    },
    async list(userId, prefix = '') {
      return [...(values.get(userId)?.keys() ?? [])].filter((key) => key.startsWith(prefix)).sort();
    },
    async appendMessages(ref, messages) {
      const key = conversationKey(ref);
      const conversation = conversations.get(key) ?? { ref, messages: [] };
      conversations.set(key, conversation);
      const stored = messages.map((message) => ({
        sequence: conversation.messages.length + 1,
        message: structuredClone(message) as ChatMessage,
        createdAt: new Date(),
      }));
      for (const [index, item] of stored.entries()) item.sequence += index;
      conversation.messages.push(...stored);
      return stored;
    },
    async loadMessages(ref, options = {}) {
      const messages = conversations.get(conversationKey(ref))?.messages ?? [];
      const selected = options.last === undefined ? messages : messages.slice(-options.last);
      return selected.map((item) => ({ ...item, message: structuredClone(item.message) }));
    },
    async listConversations(userId) {
      const summaries: ConversationSummary[] = [];
      for (const { ref, messages } of conversations.values()) {
        if (ref.userId !== userId || messages.length === 0) continue;
        summaries.push({
          conversationId: ref.conversationId,
          messageCount: messages.length,
          lastMessageAt: messages.at(-1)!.createdAt,
        });
      }
      return summaries.sort((a, b) => b.lastMessageAt.getTime() - a.lastMessageAt.getTime());
    },
    async deleteConversation(ref) {
      return conversations.delete(conversationKey(ref));
    },
  };
}
