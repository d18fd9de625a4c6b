import { createHash, randomBytes } from 'node:crypto';
import type { ChatOptions } from '@entity/core';
import type { Hono } from 'hono';
import { requireRole, resolveUserId } from './authorization.js';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { DEFAULT_MAX_MESSAGE_CHARS } from './http-options.js';
import { nativeChatSchema, streamRunEvents } from './native-chat.js';
import { readJsonBody, readQuery } from './request-validation.js';
import { runCancellation } from './run-cancellation.js';

/** Where tickets are minted (`POST`) and redeemed (`GET …/<ticket>`). */
export const CHAT_STREAMS_PATH = '/v1/chat/streams';

/** How long a ticket may wait for its GET. Short: it is a credential that travels in a URL. */
export const STREAM_TICKET_TTL_MS = 30_000;

/** Unredeemed tickets held at most, so minting cannot grow memory without bound. */
const MAX_PENDING_TICKETS = 10_000;
/**
 * Unredeemed tickets one credential may hold: a page opens one stream per message, so a handful
 * is plenty, and a few keys can no longer fill the shared pool and lock everyone else out.
 */
export const MAX_PENDING_TICKETS_PER_CREDENTIAL = 16;

/** A chat request that was authenticated and authorized when its ticket was minted. */
interface PendingStream {
  message: string;
  userId: string;
  conversationId: string | undefined;
  /** The minting request's id (`x-request-id`/`traceparent`): the run's correlation id, as EventSource can send neither. */
  correlationId: string;
  /** The minting credential's rate-limit bucket: whose share of the pool the ticket uses. */
  bucketId: string;
  /** The answer's schema (`output` of the minting request, already compiled) and its name. */
  output?: ChatOptions['output'];
  outputName?: string;
  expiresAt: number;
}

/**
 * Single-use tickets for `EventSource`, which can neither POST nor send an Authorization
 * header. A ticket stands for one chat request that already passed authentication, role and
 * user checks; it starts that turn once, within 30 s, and nothing else. Tickets are 256-bit
 * random and kept only as SHA-256 hashes.
 */
export class StreamTickets {
  private readonly pending = new Map<string, PendingStream>();
  private readonly pendingPerCredential = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  issue(stream: Omit<PendingStream, 'expiresAt'>): string {
    this.dropExpired();
    const held = this.pendingPerCredential.get(stream.bucketId) ?? 0;
    if (held >= MAX_PENDING_TICKETS_PER_CREDENTIAL) {
      throw new HttpApiError(
        429,
        'too_many_pending_streams',
        `This credential has ${MAX_PENDING_TICKETS_PER_CREDENTIAL} stream tickets waiting to be opened, the most allowed; open them or let them expire (${STREAM_TICKET_TTL_MS / 1000} s)`,
        { headers: { 'retry-after': '1' } },
      );
    }
    if (this.pending.size >= MAX_PENDING_TICKETS) {
      throw new HttpApiError(503, 'too_many_pending_streams', 'Too many streams wait to be opened; open the ones you have or retry shortly', { headers: { 'retry-after': '1' } });
    }
    const ticket = randomBytes(32).toString('base64url');
    this.pending.set(hashTicket(ticket), { ...stream, expiresAt: this.now() + STREAM_TICKET_TTL_MS });
    this.pendingPerCredential.set(stream.bucketId, held + 1);
    return ticket;
  }

  private forget(key: string, stream: PendingStream): void {
    this.pending.delete(key);
    const held = (this.pendingPerCredential.get(stream.bucketId) ?? 1) - 1;
    if (held <= 0) this.pendingPerCredential.delete(stream.bucketId);
    else this.pendingPerCredential.set(stream.bucketId, held);
  }

  /** The stream `ticket` stands for, once: it is spent whether or not it was still valid. */
  redeem(ticket: string): PendingStream | undefined {
    const key = hashTicket(ticket);
    const stream = this.pending.get(key);
    if (!stream) return undefined;
    this.forget(key, stream);
    return stream.expiresAt > this.now() ? stream : undefined;
  }

  private dropExpired(): void {
    // Every ticket lives equally long, so insertion order is expiry order.
    const now = this.now();
    for (const [key, stream] of this.pending) {
      if (stream.expiresAt > now) break;
      this.forget(key, stream);
    }
  }
}

function hashTicket(ticket: string): string {
  return createHash('sha256').update(ticket, 'utf8').digest('hex');
}

/**
 * `GET /v1/chat/streams/:ticket`: the run's events as SSE, exactly like `POST /v1/chat` with
 * `Accept: text/event-stream`. Registered before authentication: the ticket is the credential.
 * The per-address rate limit and the shutdown check still apply.
 */
export function registerStreamTicketRedemption(app: Hono<HandlerEnvironment>, state: HandlerState, tickets: StreamTickets): void {
  app.get(`${CHAT_STREAMS_PATH}/:ticket`, (context) => {
    readQuery(context);
    const stream = tickets.redeem(context.req.param('ticket'));
    if (!stream) {
      throw new HttpApiError(404, 'stream_not_found', `No stream for this ticket: tickets work once, for ${STREAM_TICKET_TTL_MS / 1000} s; POST ${CHAT_STREAMS_PATH} for a new one`);
    }
    const run = runCancellation(state, context.req.raw);
    const options: ChatOptions = {
      userId: stream.userId,
      signal: run.signal,
      correlationId: stream.correlationId,
      ...(stream.conversationId ? { conversationId: stream.conversationId } : {}),
      ...(state.options.limits?.runTimeoutMs ? { timeoutMs: state.options.limits.runTimeoutMs } : {}),
      ...(stream.output ? { output: stream.output, ...(stream.outputName ? { outputName: stream.outputName } : {}) } : {}),
    };
    return streamRunEvents(context, state, stream.message, options, run);
  });
}

/**
 * `POST /v1/chat/streams` (role user): takes the body of `POST /v1/chat`, checks it and the
 * caller now, and answers `201 { url, expiresInSeconds }`; `new EventSource(base + url)` then
 * streams the turn.
 */
export function registerStreamTicketMinting(app: Hono<HandlerEnvironment>, state: HandlerState, tickets: StreamTickets): void {
  const schema = nativeChatSchema(state.options.limits?.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS);
  app.post(CHAT_STREAMS_PATH, async (context) => {
    const principal = context.get('principal');
    requireRole(principal, 'user', 'chat');
    readQuery(context);
    const body = await readJsonBody(context, schema);
    const userId = resolveUserId(principal, body.userId);
    if (body.metadata) state.logger.debug('chat request metadata', { component: 'http', userId, metadata: body.metadata });
    const ticket = tickets.issue({
      message: body.message,
      userId,
      conversationId: body.conversationId,
      correlationId: context.get('requestId'),
      bucketId: principal.bucketId,
      ...(body.output ? { output: body.output, ...(body.outputName ? { outputName: body.outputName } : {}) } : {}),
    });
    return context.json({ url: `${CHAT_STREAMS_PATH}/${ticket}`, expiresInSeconds: STREAM_TICKET_TTL_MS / 1000 }, 201);
  });
}
