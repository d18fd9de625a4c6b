import { z } from 'zod';

// Request schema of POST /v1/messages as documented in the Anthropic API reference. The real
// API rejects unknown fields ("Extra inputs are not permitted"), so objects are strict.

const cacheControl = z.object({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() }).strict().nullable().optional();

const textBlock = z.object({ type: z.literal('text'), text: z.string(), cache_control: cacheControl, citations: z.array(z.unknown()).nullable().optional() }).strict();
const imageBlock = z
  .object({
    type: z.literal('image'),
    source: z.union([
      z.object({ type: z.literal('base64'), media_type: z.enum(['image/jpeg', 'image/png', 'image/gif', 'image/webp']), data: z.string() }).strict(),
      z.object({ type: z.literal('url'), url: z.string() }).strict(),
    ]),
    cache_control: cacheControl,
  })
  .strict();
const toolUseBlock = z
  .object({
    type: z.literal('tool_use'),
    id: z.string().regex(/^[a-zA-Z0-9_-]+$/),
    name: z.string().min(1).max(200),
    input: z.record(z.string(), z.unknown()),
    cache_control: cacheControl,
  })
  .strict();
const toolResultBlock = z
  .object({
    type: z.literal('tool_result'),
    tool_use_id: z.string().regex(/^[a-zA-Z0-9_-]+$/),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock]))]).optional(),
    is_error: z.boolean().optional(),
    cache_control: cacheControl,
  })
  .strict();
const thinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string() }).strict();
const redactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string() }).strict();

export const anthropicContentBlockSchema = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, redactedThinkingBlock]);

export const anthropicMessageSchema = z
  .object({
    role: z.enum(['user', 'assistant']),
    content: z.union([z.string(), z.array(anthropicContentBlockSchema)]),
  })
  .strict();

export const anthropicToolSchema = z
  .object({
    type: z.literal('custom').optional(),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,128}$/),
    description: z.string().optional(),
    input_schema: z.object({ type: z.literal('object'), properties: z.record(z.string(), z.unknown()).nullable().optional(), required: z.array(z.string()).nullable().optional() }).catchall(z.unknown()),
    cache_control: cacheControl,
    strict: z.boolean().optional(),
  })
  .strict();

const toolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('tool'), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }).strict(),
  z.object({ type: z.literal('none') }).strict(),
]);

export const anthropicMessagesRequestSchema = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().min(1),
    messages: z.array(anthropicMessageSchema),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    tools: z.array(anthropicToolSchema).optional(),
    tool_choice: toolChoice.optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    stop_sequences: z.array(z.string()).optional(),
    stream: z.boolean().optional(),
    metadata: z.object({ user_id: z.string().nullable().optional() }).strict().optional(),
    thinking: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1024) }).strict(),
        z.object({ type: z.literal('disabled') }).strict(),
      ])
      .optional(),
    service_tier: z.enum(['auto', 'standard_only']).optional(),
  })
  .strict();

export type AnthropicMessagesRequest = z.infer<typeof anthropicMessagesRequestSchema>;
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;
