import { z } from 'zod';

/**
 * Shapes of what the conversation, UI stream and metrics routes send, for the OpenAPI document.
 * Tests parse real responses with them, so the document cannot drift from the routes.
 */

export const CONVERSATION_LIST = z.object({
  userId: z.string(),
  conversations: z.array(z.object({ conversationId: z.string(), messageCount: z.number().int(), lastMessageAt: z.string().describe('ISO 8601') })),
});

export const CONVERSATION = z.object({
  userId: z.string(),
  conversationId: z.string(),
  messages: z.array(
    z.object({
      sequence: z.number().int(),
      role: z.enum(['system', 'user', 'assistant', 'tool']),
      content: z.string(),
      createdAt: z.string().describe('ISO 8601'),
      toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.unknown() })).optional(),
      toolCallId: z.string().optional(),
      name: z.string().optional(),
      isError: z.literal(true).optional(),
    }),
  ),
});

export const UI_MESSAGE_CHUNK = z
  .looseObject({
    type: z.union([
      z.enum([
        'start',
        'start-step',
        'finish-step',
        'reset-step',
        'text-start',
        'text-delta',
        'text-end',
        'tool-input-available',
        'tool-output-available',
        'tool-output-error',
        'error',
        'finish',
      ]),
      z.string().regex(/^data-/),
    ]),
  })
  .describe(
    "The `data:` of one SSE message: a part of the AI SDK's UI message stream (v1; `x-vercel-ai-ui-message-stream: v1`). The stream ends with `data: [DONE]`. `finish` carries `messageMetadata.runInfo`.",
  );
