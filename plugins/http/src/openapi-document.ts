import { z } from 'zod';
import { CONVERSATION, CONVERSATION_LIST, UI_MESSAGE_CHUNK } from './conversation-schemas.js';
import { nativeChatSchema } from './native-chat.js';
import { chatCompletionSchema } from './openai-schemas.js';
import { streamingPaths } from './openapi-streaming-paths.js';
import { uiChatSchema } from './ui-chat-route.js';
import {
  AGENT_SUMMARY,
  CHAT_COMPLETION,
  CHAT_COMPLETION_CHUNK,
  CHAT_RESULT,
  ERROR_BODY,
  HEALTH_LIVE,
  HEALTH_READY,
  MODEL,
  MODEL_LIST,
  RUN_EVENT,
} from './response-schemas.js';

type JsonObject = Record<string, unknown>;

/** JSON Schema 2020-12 (OpenAPI 3.1's dialect) of a zod schema, as requests send it or as responses carry it. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonObject;
  return rest;
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: malformed JSON, wrong types, unknown fields, values over limits. The message names each problem.',
  401: 'No credential, or an unknown API key.',
  403: 'The key may not do this (role) or act for this user.',
  404: 'Not found: unknown model, route, conversation (of this user) or metrics resource.',
  409: 'A request with this Idempotency-Key is still running past the wait; retry later.',
  422: 'This Idempotency-Key was used for a different request.',
  413: 'Body too large.',
  415: 'The body is not JSON.',
  429: 'Rate limited; see Retry-After.',
  500: 'The run failed outside its stages; the message is safe to show.',
  503: 'Shutting down, or the run was cancelled.',
};

function errors(...statuses: number[]): JsonObject {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: ERROR_DESCRIPTIONS[status], content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
}

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') => ({ 'application/json': { schema: jsonSchema(schema, io) } });

export interface OpenApiOptions {
  agentName: string;
  modelId: string;
  maxMessageChars: number;
}

/** The OpenAPI 3.1 document of the handler, generated from the same zod schemas that validate requests. */
export function openApiDocument(options: OpenApiOptions): JsonObject {
  const idempotencyKey = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    description:
      'Makes a retried POST safe: a retry with the same key (same credential and user) gets the first 2xx response (header `Idempotent-Replayed: true`) instead of a second turn; a retry while the first runs waits for it. JSON answers only (400 on a stream).',
  };
  const userQuery = { name: 'userId', in: 'query', required: false, schema: { type: 'string', pattern: '^[\\w.@:+-]{1,200}$' }, description: "Whose conversations; default: the credential's user." };
  const conversationPath = { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[\\w.@:+-]{1,200}$' } };
  const entityHeaders = [
    { name: 'x-entity-user-id', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\w.@:+-]{1,200}$' }, description: 'The user the turn is for (or the `user` field).' },
    { name: 'x-entity-conversation-id', in: 'header', required: false, schema: { type: 'string', pattern: '^[\\w.@:+-]{1,200}$' }, description: "The user's conversation to continue; default: `default`." },
  ];
  return {
    openapi: '3.1.0',
    info: {
      title: `${options.agentName} (Entity agent)`,
      version: '1',
      description: 'Served by @entity/plugin-http. Authenticate with `Authorization: Bearer <API key>`.',
    },
    security: [{ apiKey: [] }],
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An Entity API key, or a JWT when the server verifies them (roles: admin, user, viewer).' } },
      schemas: { Error: jsonSchema(ERROR_BODY, 'output') },
    },
    paths: {
      '/v1/chat': {
        post: {
          operationId: 'chat',
          summary: 'One turn: JSON answer, or the run events as SSE with `Accept: text/event-stream` (role: user)',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: json(nativeChatSchema(options.maxMessageChars), 'input') },
          responses: {
            '200': {
              description: 'The answer and run info, or the stream of run events.',
              content: { ...json(CHAT_RESULT), 'text/event-stream': { schema: jsonSchema(RUN_EVENT, 'output') } },
            },
            ...errors(400, 401, 403, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      '/v1/ui/chat': {
        post: {
          operationId: 'uiChat',
          summary: "One turn for the AI SDK's `useChat` (DefaultChatTransport): the chat `id` is the conversation, the last (user) message the turn (role: user)",
          requestBody: { required: true, content: json(uiChatSchema(options.maxMessageChars), 'input') },
          responses: {
            '200': { description: 'The UI message stream (SSE).', content: { 'text/event-stream': { schema: jsonSchema(UI_MESSAGE_CHUNK, 'output') } } },
            ...errors(400, 401, 403, 413, 415, 429),
          },
        },
      },
      '/v1/conversations': {
        get: {
          operationId: 'listConversations',
          summary: "The user's conversations (role: viewer)",
          parameters: [userQuery],
          responses: { '200': { description: 'Conversations.', content: json(CONVERSATION_LIST) }, ...errors(400, 401, 403, 429) },
        },
      },
      '/v1/conversations/{id}': {
        get: {
          operationId: 'getConversation',
          summary: "One conversation's messages, oldest first; another user's conversation is a 404 (role: viewer)",
          parameters: [conversationPath, userQuery, { name: 'last', in: 'query', required: false, schema: { type: 'string', pattern: '^[1-9]\\d{0,5}$' }, description: 'Only the last N messages.' }],
          responses: { '200': { description: 'The messages.', content: json(CONVERSATION) }, ...errors(400, 401, 403, 404, 429) },
        },
        delete: {
          operationId: 'deleteConversation',
          summary: 'Deletes a conversation of the user (role: user)',
          parameters: [conversationPath, userQuery],
          responses: { '204': { description: 'Deleted.' }, ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus text from the metrics resource (role: viewer; admin and viewer keys only, a user key gets 403)',
          responses: { '200': { description: 'Prometheus exposition format 0.0.4.', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errors(400, 401, 403, 404, 429) },
        },
      },
      '/v1/agent': {
        get: { operationId: 'describeAgent', summary: 'Name, plugins, tools and resources (role: viewer)', responses: { '200': { description: 'The agent.', content: json(AGENT_SUMMARY) }, ...errors(400, 401, 429) } },
      },
      '/v1/chat/completions': {
        post: {
          operationId: 'createChatCompletion',
          summary: `OpenAI Chat Completions; the turn is the last (user) message; model: "${options.modelId}" (role: user)`,
          parameters: [...entityHeaders, idempotencyKey],
          requestBody: { required: true, content: json(chatCompletionSchema(options.maxMessageChars), 'input') },
          responses: {
            '200': {
              description: 'A chat completion, or with `stream: true` chunks ending with `data: [DONE]`.',
              content: { ...json(CHAT_COMPLETION), 'text/event-stream': { schema: jsonSchema(CHAT_COMPLETION_CHUNK, 'output') } },
            },
            ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503),
          },
        },
      },
      '/v1/models': {
        get: { operationId: 'listModels', summary: 'The agent as the one model (role: viewer)', responses: { '200': { description: 'Models.', content: json(MODEL_LIST) }, ...errors(400, 401, 429) } },
      },
      '/v1/models/{id}': {
        get: {
          operationId: 'retrieveModel',
          summary: 'One model (role: viewer)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The model.', content: json(MODEL) }, ...errors(400, 401, 404, 429) },
        },
      },
      '/health/live': {
        get: { operationId: 'live', summary: 'Liveness (no key needed)', security: [], responses: { '200': { description: 'Serving.', content: json(HEALTH_LIVE) } } },
      },
      '/health/ready': {
        get: {
          operationId: 'ready',
          summary: 'Readiness: agent started and resources healthy (no key needed; per-resource detail with a key)',
          security: [{}, { apiKey: [] }],
          responses: { '200': { description: 'Ready.', content: json(HEALTH_READY) }, ...errors(401), '503': { description: 'Not ready, or shutting down.', content: json(HEALTH_READY) } },
        },
      },
      '/openapi.json': {
        get: { operationId: 'openApi', summary: 'This document (role: viewer)', responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors(401, 429) } },
      },
      ...streamingPaths(options, jsonSchema, errors),
    },
  };
}
