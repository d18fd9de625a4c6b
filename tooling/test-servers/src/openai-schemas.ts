import { z } from 'zod';

// Request schemas of POST /v1/chat/completions and /v1/embeddings as documented in the
// OpenAI API reference. Objects are strict because the real API rejects unknown parameters
// ("Unrecognized request argument supplied: …").

const functionName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.");

const textPart = z.object({ type: z.literal('text'), text: z.string() }).strict();
const imagePart = z
  .object({ type: z.literal('image_url'), image_url: z.object({ url: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }).strict() })
  .strict();
const audioPart = z
  .object({ type: z.literal('input_audio'), input_audio: z.object({ data: z.string(), format: z.enum(['wav', 'mp3']) }).strict() })
  .strict();
const filePart = z
  .object({ type: z.literal('file'), file: z.object({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }).strict() })
  .strict();
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() }).strict();

export const openAIToolCallSchema = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: functionName, arguments: z.string() }).strict(),
  })
  .strict();

const systemMessage = z
  .object({ role: z.literal('system'), content: z.union([z.string(), z.array(textPart).min(1)]), name: z.string().optional() })
  .strict();
const developerMessage = z
  .object({ role: z.literal('developer'), content: z.union([z.string(), z.array(textPart).min(1)]), name: z.string().optional() })
  .strict();
const userMessage = z
  .object({
    role: z.literal('user'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart, audioPart, filePart])).min(1)]),
    name: z.string().optional(),
  })
  .strict();
const assistantMessage = z
  .object({
    role: z.literal('assistant'),
    content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart])), z.null()]).optional(),
    refusal: z.string().nullable().optional(),
    name: z.string().optional(),
    tool_calls: z.array(openAIToolCallSchema).optional(),
    audio: z.object({ id: z.string() }).strict().nullable().optional(),
    function_call: z.object({ name: z.string(), arguments: z.string() }).strict().nullable().optional(),
  })
  .strict();
const toolMessage = z
  .object({ role: z.literal('tool'), content: z.union([z.string(), z.array(textPart).min(1)]), tool_call_id: z.string().min(1) })
  .strict();

export const openAIMessageSchema = z.discriminatedUnion('role', [systemMessage, developerMessage, userMessage, assistantMessage, toolMessage]);

const jsonSchemaObject = z.record(z.string(), z.unknown());

export const openAIToolSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: functionName,
        description: z.string().optional(),
        parameters: jsonSchemaObject.optional(),
        strict: z.boolean().nullable().optional(),
      })
      .strict(),
  })
  .strict();

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: functionName }).strict() }).strict(),
]);

export const openAIResponseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: functionName,
          description: z.string().optional(),
          schema: jsonSchemaObject.optional(),
          strict: z.boolean().nullable().optional(),
        })
        .strict(),
    })
    .strict(),
]);

export const openAIChatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(openAIMessageSchema).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).strict().nullable().optional(),
    tools: z.array(openAIToolSchema).max(128).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: openAIResponseFormatSchema.optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: z.number().int().positive().nullable().optional(),
    max_completion_tokens: z.number().int().positive().nullable().optional(),
    n: z.number().int().min(1).max(128).nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    user: z.string().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    logit_bias: z.record(z.string(), z.number()).nullable().optional(),
    logprobs: z.boolean().nullable().optional(),
    top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
    store: z.boolean().nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional(),
    service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullable().optional(),
    verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
    prompt_cache_key: z.string().optional(),
    safety_identifier: z.string().optional(),
  })
  .strict();

export type OpenAIChatRequest = z.infer<typeof openAIChatRequestSchema>;
export type OpenAIMessage = z.infer<typeof openAIMessageSchema>;

export const openAIEmbeddingRequestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([
      z.string(),
      z.array(z.string()).min(1).max(2048),
      z.array(z.number().int()).min(1),
      z.array(z.array(z.number().int()).min(1)).min(1).max(2048),
    ]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .strict();

export type OpenAIEmbeddingRequest = z.infer<typeof openAIEmbeddingRequestSchema>;
