import { z } from 'zod';
import { CHAT_STREAMS_PATH, STREAM_TICKET_TTL_MS } from './chat-stream-tickets.js';
import { nativeChatSchema } from './native-chat.js';
import { RUN_EVENT } from './response-schemas.js';
import { WEBSOCKET_PATH, WEBSOCKET_PROTOCOL } from './websocket-protocol.js';

type JsonObject = Record<string, unknown>;

/** `POST /v1/chat/streams`: where `EventSource` opens the stream. */
export const STREAM_TICKET = z.object({
  url: z.string().describe('Path of the stream: GET it (e.g. `new EventSource(base + url)`) once, within `expiresInSeconds`.'),
  expiresInSeconds: z.number(),
});

/** The OpenAPI paths of the browser transports: EventSource tickets and the WebSocket endpoint. */
export function streamingPaths(
  options: { maxMessageChars: number },
  jsonSchema: (schema: z.ZodType, io: 'input' | 'output') => JsonObject,
  errors: (...statuses: number[]) => JsonObject,
): JsonObject {
  return {
    [CHAT_STREAMS_PATH]: {
      post: {
        operationId: 'createChatStream',
        summary: `One turn for EventSource: checks the request now and answers a single-use stream URL, valid ${STREAM_TICKET_TTL_MS / 1000} s (role: user)`,
        requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(nativeChatSchema(options.maxMessageChars), 'input') } } },
        responses: {
          '201': { description: 'The stream to open.', content: { 'application/json': { schema: jsonSchema(STREAM_TICKET, 'output') } } },
          ...errors(400, 401, 403, 413, 415, 429, 503),
        },
      },
    },
    [`${CHAT_STREAMS_PATH}/{ticket}`]: {
      get: {
        operationId: 'openChatStream',
        summary: 'The run events of a minted turn as SSE, like POST /v1/chat with Accept: text/event-stream. The ticket is the credential (EventSource sends no headers); it works once.',
        security: [],
        parameters: [{ name: 'ticket', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The stream of run events.', content: { 'text/event-stream': { schema: jsonSchema(RUN_EVENT, 'output') } } },
          '404': {
            description: 'The ticket was used already, expired or never existed.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
          ...errors(429, 503),
        },
      },
    },
    [WEBSOCKET_PATH]: {
      get: {
        operationId: 'openWebSocket',
        summary: `WebSocket (subprotocol "${WEBSOCKET_PROTOCOL}"): chat requests with client ids, streamed run events, cancellation. Key in the Authorization header, or as the subprotocol "entity.bearer.<key>" from browsers (role: user)`,
        responses: {
          '101': { description: 'Switching to the WebSocket protocol; see the package README for the messages.' },
          '426': { description: 'A plain GET: open it with a WebSocket client.' },
          ...errors(400, 401, 403, 429, 503),
        },
      },
    },
  };
}
