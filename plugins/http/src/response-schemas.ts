import { z } from 'zod';

/**
 * Shapes of what the server sends, for the OpenAPI document. Tests parse real responses with
 * them, so the document cannot drift from the routes.
 */

export const ERROR_BODY = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.enum(['invalid_request_error', 'authentication_error', 'permission_error', 'not_found_error', 'rate_limit_error', 'server_error']),
      code: z.string(),
      param: z.string().nullable(),
    }),
  })
  .describe("Every error response, in OpenAI's shape.");

const USAGE = z.object({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number(), costUsd: z.number().optional() });

export const RUN_INFO = z
  .object({
    runId: z.string(),
    userId: z.string(),
    conversationId: z.string(),
    iterations: z.number().int(),
    durationMs: z.number(),
    usage: USAGE,
    toolCalls: z.array(z.object({ callId: z.string(), name: z.string(), arguments: z.unknown(), success: z.boolean(), durationMs: z.number() })),
    sources: z
      .array(z.object({ source: z.string(), section: z.string().optional(), score: z.number().optional(), collection: z.string().optional() }))
      .optional()
      .describe('Where the answer came from (retrieved files and their sections), as plugins recorded them.'),
    annotations: z.record(z.string(), z.unknown()).optional().describe('JSON values plugins attached to the run (a plan, a classification).'),
    failure: z.object({ stage: z.string(), plugin: z.string(), errorType: z.string() }).optional(),
  })
  .describe('What happened in the run; a failure shows where and its type, never its text.');

export const CHAT_RESULT = z.object({
  text: z.string(),
  output: z.unknown().optional().describe('With `output` in the request: the answer, valid against that JSON Schema. Absent when the run failed.'),
  info: RUN_INFO,
});

export const RUN_EVENT = z
  .looseObject({
    type: z.enum(['run-start', 'stage', 'token', 'tool-call', 'tool-result', 'response', 'error', 'custom', 'nested', 'done']),
  })
  .describe(
    'The `data:` of one SSE message: an agent event as JSON; `event:` repeats its type, `id:` numbers it. `done` (with `text` and `info`) is last. ' +
      '`nested` wraps an event of another agent run by a tool call (`{ callId, agent, event }`).',
  );

export const AGENT_SUMMARY = z
  .object({
    name: z.string(),
    plugins: z.array(z.object({ name: z.string(), kind: z.string(), stages: z.array(z.string()) })),
    tools: z.array(z.string()),
    resources: z.array(z.string()),
  })
  ;

export const HEALTH_LIVE = z.object({ status: z.literal('live') });
export const HEALTH_READY = z
  .object({
    status: z.enum(['ready', 'not-ready', 'draining']),
    resources: z
      .record(z.string(), z.object({ healthy: z.boolean() }))
      .optional()
      .describe('Per resource health; only for a caller with a valid credential (any role)'),
  })
  ;

export const MODEL = z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() });
export const MODEL_LIST = z.object({ object: z.literal('list'), data: z.array(MODEL) });

const COMPLETION_USAGE = z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() });

export const CHAT_COMPLETION = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.string(),
    choices: z
      .array(
        z.object({
          index: z.literal(0),
          message: z
            .object({ role: z.literal('assistant'), content: z.string().nullable(), refusal: z.string().nullable(), annotations: z.array(z.unknown()) })
            .describe('`content` is the answer (JSON with a `json_schema` response_format); a run that could not answer in that schema has `content: null` and the reason in `refusal`.'),
          logprobs: z.null(),
          finish_reason: z.literal('stop'),
        }),
      )
      .length(1),
    usage: COMPLETION_USAGE,
    system_fingerprint: z.null(),
  })
  ;

export const CHAT_COMPLETION_CHUNK = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion.chunk'),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.null(),
    choices: z.array(
      z.object({
        index: z.literal(0),
        delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional(), refusal: z.string().nullable().optional() }),
        logprobs: z.null(),
        finish_reason: z.literal('stop').nullable(),
      }),
    ),
    usage: COMPLETION_USAGE.nullable().optional(),
  })
  .describe('The `data:` of one SSE message; the stream ends with `data: [DONE]`.');
