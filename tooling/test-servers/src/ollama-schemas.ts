import { z } from 'zod';

// Request schemas of Ollama's /api/chat and /api/embed (docs/api.md in ollama/ollama). Ollama is
// written in Go: unknown fields are ignored (loose objects) but wrong types are rejected.

const toolCall = z.looseObject({
  id: z.string().optional(),
  type: z.string().optional(),
  function: z.looseObject({
    index: z.number().int().optional(),
    name: z.string().min(1),
    // Go's map[string]any: a JSON string here is a decode error, which catches adapters that forget to parse arguments.
    arguments: z.record(z.string(), z.unknown()),
  }),
});

export const ollamaMessageSchema = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string(),
  thinking: z.string().optional(),
  images: z.array(z.string()).optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_name: z.string().optional(),
  tool_call_id: z.string().optional(),
});

export const ollamaToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

const keepAlive = z.union([z.string(), z.number()]).optional();

export const ollamaChatRequestSchema = z.looseObject({
  model: z.string(),
  messages: z.array(ollamaMessageSchema).optional(),
  tools: z.array(ollamaToolSchema).optional(),
  format: z.union([z.literal(''), z.literal('json'), z.record(z.string(), z.unknown())]).optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  stream: z.boolean().optional(),
  keep_alive: keepAlive,
  think: z.union([z.boolean(), z.enum(['high', 'medium', 'low'])]).optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().optional(),
});

export const ollamaEmbedRequestSchema = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string())]),
  truncate: z.boolean().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  keep_alive: keepAlive,
  dimensions: z.number().int().positive().optional(),
});

export type OllamaChatRequest = z.infer<typeof ollamaChatRequestSchema>;
