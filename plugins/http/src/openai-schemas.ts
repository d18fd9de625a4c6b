import { z } from 'zod';
import { OUTPUT_JSON_SCHEMA, OUTPUT_NAME } from './output-schema.js';

const TEXT_PART = z.strictObject({ type: z.literal('text'), text: z.string() });
/** Parts of any type are accepted in earlier messages (they are not used); the turn's message must be text. */
const ANY_PART = z.looseObject({ type: z.string() });
const CONTENT = z.union([z.string(), z.array(ANY_PART)]);

const MESSAGE = z.discriminatedUnion('role', [
  z.strictObject({ role: z.enum(['system', 'developer']), content: z.union([z.string(), z.array(TEXT_PART)]), name: z.string().optional() }),
  z.strictObject({ role: z.literal('user'), content: CONTENT, name: z.string().optional() }),
  z.strictObject({
    role: z.literal('assistant'),
    content: CONTENT.nullable().optional(),
    name: z.string().optional(),
    refusal: z.string().nullable().optional(),
    tool_calls: z.array(z.unknown()).optional(),
    function_call: z.unknown().optional(),
    audio: z.unknown().optional(),
  }),
  z.strictObject({ role: z.literal('tool'), content: z.union([z.string(), z.array(TEXT_PART)]), tool_call_id: z.string() }),
  z.strictObject({ role: z.literal('function'), content: z.string().nullable(), name: z.string() }),
]);

export type OpenAIMessage = z.infer<typeof MESSAGE>;

/** `response_format`: text, or an answer in a JSON Schema (`json_schema`), as OpenAI's structured outputs. */
const RESPONSE_FORMAT = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({
    type: z.literal('json_schema'),
    json_schema: z.strictObject({
      name: OUTPUT_NAME,
      description: z.string().max(2_000).optional(),
      schema: OUTPUT_JSON_SCHEMA,
      // The agent always validates the answer against the schema, strict or not.
      strict: z.boolean().nullable().optional(),
    }),
  }),
  z.strictObject({ type: z.literal('json_object') }).refine(() => false, 'json_object (JSON mode without a schema) is not supported: send type "json_schema" with the schema of the answer'),
]);

/**
 * Body of `POST /v1/chat/completions`: OpenAI's documented fields, nothing else. The agent's
 * config decides the model's sampling, so sampling fields are accepted and ignored; features an
 * agent cannot honour (client-side tools, several choices, JSON mode without a schema) are refused
 * with a 400. `response_format: { type: 'json_schema' }` asks the agent for an answer in that schema.
 */
export function chatCompletionSchema(maxMessageChars: number) {
  return z.strictObject({
    model: z.string().min(1).max(200),
    messages: z.array(MESSAGE).min(1, 'send at least one message').max(10_000),
    stream: z.boolean().nullable().optional(),
    stream_options: z.strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() }).nullable().optional(),
    user: z.string().max(200).optional(),
    safety_identifier: z.string().max(200).optional(),
    prompt_cache_key: z.string().max(200).optional(),
    metadata: z.record(z.string().max(64), z.string().max(512)).nullable().optional(),
    store: z.boolean().nullable().optional(),
    n: z.literal(1, 'only n = 1 is supported: an agent gives one answer per turn').nullable().optional(),
    tools: z.array(z.unknown()).max(0, 'client-side tools are not supported: the agent calls its own tools').optional(),
    tool_choice: z.union([z.literal('none'), z.literal('auto')]).optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: RESPONSE_FORMAT.optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    max_tokens: z.number().int().min(1).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).nullable().optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    logit_bias: z.record(z.string(), z.number()).nullable().optional(),
    logprobs: z.literal(false, 'logprobs are not available from an agent').nullable().optional(),
    reasoning_effort: z.string().max(20).nullable().optional(),
    service_tier: z.string().max(20).nullable().optional(),
    verbosity: z.string().max(20).nullable().optional(),
    modalities: z.array(z.literal('text', 'only text output is supported')).nullable().optional(),
  }).superRefine((body, context) => {
    // Refinements run even when the array check failed: an empty list is reported there.
    const last = body.messages.at(-1);
    if (!last) return;
    const index = body.messages.length - 1;
    if (last.role !== 'user') {
      context.addIssue({
        code: 'custom',
        path: ['messages', index, 'role'],
        message: `the last message must be the user's (the agent keeps its own history and answers the last user message); got "${last.role}"`,
      });
      return;
    }
    const text = textOf(last.content);
    if (text === undefined) {
      context.addIssue({ code: 'custom', path: ['messages', index, 'content'], message: 'only text content is supported in the turn\'s message' });
    } else if (text.trim() === '') {
      context.addIssue({ code: 'custom', path: ['messages', index, 'content'], message: 'must not be empty' });
    } else if (text.length > maxMessageChars) {
      context.addIssue({ code: 'custom', path: ['messages', index, 'content'], message: `is ${text.length} characters; at most ${maxMessageChars} are allowed` });
    }
  });
}

export type ChatCompletionRequest = z.infer<ReturnType<typeof chatCompletionSchema>>;

/** The text of a user message: the string, or its text parts joined by newlines; undefined when it has other parts. */
export function textOf(content: z.infer<typeof CONTENT>): string | undefined {
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  for (const part of content) {
    if (part.type !== 'text' || typeof part.text !== 'string') return undefined;
    texts.push(part.text);
  }
  return texts.join('\n');
}
