import type { StreamOptions } from '@entity/core';
import { z } from 'zod';
import { nativeChatSchema } from './native-chat.js';
import { describeIssues, ID_SCHEMA } from './request-validation.js';

/** The subprotocol a client offers (and the server selects): JSON messages as described below. */
export const WEBSOCKET_PROTOCOL = 'entity.v1';

/**
 * Prefix of the subprotocol that carries a credential, for browsers (their WebSocket API cannot
 * set an Authorization header): `new WebSocket(url, ['entity.v1', 'entity.bearer.' + key])`.
 * The server never selects it, so the credential is not echoed back.
 */
export const BEARER_PROTOCOL_PREFIX = 'entity.bearer.';

/** The endpoint's path on the server. */
export const WEBSOCKET_PATH = '/v1/ws';

/** Client → server: start a chat turn. `id` is the client's, unique among its runs in progress. */
export interface WebSocketChatRequest {
  type: 'chat';
  id: string;
  message: string;
  userId?: string;
  conversationId?: string;
  metadata?: Record<string, string | number | boolean | null>;
  /** The answer's schema, compiled from the JSON Schema sent as `output`. */
  output?: StreamOptions['output'];
  outputName?: string;
}

/** Client → server: cancel the run started with `id`. */
export interface WebSocketCancelRequest {
  type: 'cancel';
  id: string;
}

export type WebSocketClientMessage = WebSocketChatRequest | WebSocketCancelRequest;

/**
 * Server → client. A run's events come as `event` messages tagged with the client's id and
 * numbered from 1 (`seq`); a run ends with its `done` event, or with an `error` message carrying
 * its id (cancelled, failed, refused). An `error` with `id: null` is about a message that could
 * not be read; the connection stays open.
 */
export type WebSocketServerMessage =
  | { type: 'event'; id: string; seq: number; event: Record<string, unknown> }
  | { type: 'error'; id: string | null; code: string; message: string; errorType?: string; retryAfterSeconds?: number };

/** Why a client message was refused: what the error message says. */
export class InvalidClientMessage extends Error {
  constructor(
    readonly code: 'invalid_message' | 'invalid_json' | 'validation_failed',
    message: string,
    readonly id: string | null,
  ) {
    super(message);
    this.name = 'InvalidClientMessage';
  }
}

const cancelSchema = z.strictObject({ type: z.literal('cancel'), id: ID_SCHEMA });

/** Reads client messages: JSON text frames, validated like the HTTP bodies. */
export function clientMessageReader(maxMessageChars: number): (data: string, isBinary: boolean) => WebSocketClientMessage {
  const chatSchema = nativeChatSchema(maxMessageChars).extend({ type: z.literal('chat'), id: ID_SCHEMA });
  return (data, isBinary) => {
    if (isBinary) throw new InvalidClientMessage('invalid_message', 'Send messages as JSON in text frames, not binary frames', null);
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch (error) {
      throw new InvalidClientMessage('invalid_json', `The message is not valid JSON: ${(error as Error).message}`, null);
    }
    const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    // Echo the client's id when it is a valid one, so the client knows which request failed.
    const id = ID_SCHEMA.safeParse(record?.id).success ? (record!.id as string) : null;
    const schema = record?.type === 'chat' ? chatSchema : record?.type === 'cancel' ? cancelSchema : undefined;
    if (!schema) {
      throw new InvalidClientMessage('validation_failed', 'Invalid message: type: must be "chat" or "cancel" (send a JSON object)', id);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new InvalidClientMessage('validation_failed', `Invalid ${record!.type} message: ${describeIssues(parsed.error)}`, id);
    return parsed.data as WebSocketClientMessage;
  };
}

/** The protocols a handshake offers (`Sec-WebSocket-Protocol`, comma-separated). */
export function offeredProtocols(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((protocol) => protocol.trim())
    .filter((protocol) => protocol !== '');
}
