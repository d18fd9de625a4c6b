import type { ChatMessage, Memory, StoredMessage } from '@entity/core';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { requireRole, resolveUserId } from './authorization.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { forgetConversationReplays } from './idempotency.js';
import { ID_SCHEMA, readQuery } from './request-validation.js';

const USER_QUERY = z.strictObject({ userId: ID_SCHEMA.optional() });
const MESSAGES_QUERY = z.strictObject({
  userId: ID_SCHEMA.optional(),
  last: z
    .string()
    .regex(/^[1-9]\d{0,5}$/, 'must be a whole number from 1 to 999999')
    .transform(Number)
    .optional(),
});

/** One stored message as clients see it. Tool results keep their content; it is what the model saw. */
export interface PublicMessage {
  sequence: number;
  role: ChatMessage['role'];
  content: string;
  createdAt: string;
  toolCalls?: { id: string; name: string; arguments: unknown }[];
  toolCallId?: string;
  name?: string;
  isError?: boolean;
}

function publicMessage(stored: StoredMessage): PublicMessage {
  const { message } = stored;
  const base = { sequence: stored.sequence, role: message.role, content: message.content, createdAt: stored.createdAt.toISOString() };
  if (message.role === 'assistant' && message.toolCalls?.length) {
    return { ...base, toolCalls: message.toolCalls.map(({ id, name, arguments: args }) => ({ id, name, arguments: args })) };
  }
  if (message.role === 'tool') return { ...base, toolCallId: message.toolCallId, name: message.name, ...(message.isError ? { isError: true } : {}) };
  return base;
}

async function memoryOf(state: HandlerState): Promise<Memory> {
  await state.agent.start();
  try {
    return state.agent.resource<Memory>('memory');
  } catch {
    throw new HttpApiError(404, 'memory_unavailable', 'This agent has no memory resource, so it keeps no conversations');
  }
}

function conversationIdOf(context: Context): string {
  const parsed = ID_SCHEMA.safeParse(context.req.param('id'));
  if (!parsed.success) throw new HttpApiError(400, 'validation_failed', 'Invalid path: id: use 1-200 letters, digits or . _ @ : + -', { param: 'id' });
  return parsed.data;
}

const notFound = (conversationId: string) => new HttpApiError(404, 'conversation_not_found', `No conversation "${conversationId}" for this user`);

/**
 * The caller's conversations. Every route works on one user: `?userId=` or the credential's
 * default user, checked like a chat's user (403 when the key may not act for it). Conversations
 * are looked up under that user only, so another user's conversation is a 404, never its data.
 */
export function registerConversationRoutes(app: Hono<HandlerEnvironment>, state: HandlerState): void {
  app.get('/v1/conversations', async (context) => {
    const query = readQuery(context, USER_QUERY);
    const userId = resolveUserId(context.get('principal'), query.userId);
    const conversations = await (await memoryOf(state)).listConversations(userId);
    return context.json({
      userId,
      conversations: conversations.map((conversation) => ({
        conversationId: conversation.conversationId,
        messageCount: conversation.messageCount,
        lastMessageAt: conversation.lastMessageAt.toISOString(),
      })),
    });
  });

  app.get('/v1/conversations/:id', async (context) => {
    const query = readQuery(context, MESSAGES_QUERY);
    const userId = resolveUserId(context.get('principal'), query.userId);
    const conversationId = conversationIdOf(context);
    const messages = await (await memoryOf(state)).loadMessages({ userId, conversationId }, query.last ? { last: query.last } : {});
    if (messages.length === 0) throw notFound(conversationId);
    return context.json({ userId, conversationId, messages: messages.map(publicMessage) });
  });

  app.delete('/v1/conversations/:id', async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'user', 'delete conversations');
    const query = readQuery(context, USER_QUERY);
    const userId = resolveUserId(principal, query.userId);
    const conversationId = conversationIdOf(context);
    // Replays go first: once the conversation is gone, no retry may bring its answers back.
    await forgetConversationReplays(state, userId, conversationId);
    if (!(await (await memoryOf(state)).deleteConversation({ userId, conversationId }))) throw notFound(conversationId);
    return context.body(null, 204);
  });
}
