import { createHash } from 'node:crypto';
import type { Memory } from '@entity/core';
import type { Context } from 'hono';
import { z } from 'zod';
import type { HandlerEnvironment, HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { type IdempotencyStore, ProcessIdempotencyStore } from './idempotency-store.js';
import { readHeader } from './request-validation.js';
import { SqlIdempotencyStore } from './sql-idempotency-store.js';

/** The request header that makes a POST safe to retry. */
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Set on a response that replays the first request's result. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';

export const IDEMPOTENCY_KEY_SCHEMA = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'use 1-255 visible ASCII characters, e.g. a UUID');

export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Added to the run's budget: how long past it a running claim still holds and retries wait for it. */
const LEASE_MARGIN_MS = 30_000;

/** The store for this handler: the memory's database when it has one, else this process. Opened once. */
function storeOf(state: HandlerState): () => Promise<IdempotencyStore> {
  const existing = stores.get(state);
  if (existing) return existing;
  let opening: Promise<IdempotencyStore> | undefined;
  const open = () => {
    opening ??= (async () => {
      await state.agent.start();
      let memory: Memory | undefined;
      try {
        memory = state.agent.resource<Memory>('memory');
      } catch {
        memory = undefined;
      }
      if (!memory?.database) return new ProcessIdempotencyStore();
      const store = new SqlIdempotencyStore(memory.database);
      await store.migrate();
      return store;
    })().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  };
  stores.set(state, open);
  return open;
}

const stores = new WeakMap<HandlerState, () => Promise<IdempotencyStore>>();

/** The key that ties idempotency records to a conversation (hashed: records need not hold ids). */
function conversationKey(userId: string, conversationId: string | undefined): string {
  return sha256(['conversation', userId, conversationId ?? DEFAULT_CONVERSATION_ID]);
}

/** The conversation a turn without a conversation id goes to (the agent's default). */
const DEFAULT_CONVERSATION_ID = 'default';

/**
 * Deletes the replayable responses of a conversation, so a deleted conversation's answers cannot
 * come back through an `Idempotency-Key` retry. Called when the conversation is deleted.
 */
export async function forgetConversationReplays(state: HandlerState, userId: string, conversationId: string): Promise<void> {
  if (state.options.idempotency === false) return;
  await (await storeOf(state)()).forgetConversation(conversationKey(userId, conversationId));
}

const sha256 = (parts: readonly string[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

/** The request's `Idempotency-Key`, validated (400 when malformed). */
export function idempotencyKeyOf(context: Context): string | undefined {
  return readHeader(context, IDEMPOTENCY_HEADER, IDEMPOTENCY_KEY_SCHEMA);
}

/** Streams cannot be replayed: a key on a streaming request is refused rather than silently ignored. */
export function refuseIdempotencyKeyOnStream(context: Context): void {
  if (idempotencyKeyOf(context) !== undefined) {
    throw new HttpApiError(400, 'idempotency_not_supported', 'Idempotency-Key applies to JSON answers only; a stream cannot be replayed. Drop the header or ask for a JSON answer', {
      param: IDEMPOTENCY_HEADER,
    });
  }
}

/** Whose turn a request runs: the user and conversation its response is recorded under. */
export interface IdempotentTurn {
  userId: string;
  /** Undefined for the agent's default conversation. */
  conversationId: string | undefined;
}

export type IdempotentRunner = (context: Context<HandlerEnvironment>, turn: IdempotentTurn, respond: () => Promise<Response>) => Promise<Response>;

/**
 * Wraps a JSON route so a retried POST with the same `Idempotency-Key` gets the first
 * response instead of a second turn. Records are scoped by credential, user, route and key; the
 * fingerprint covers the body and the headers that choose the turn, so the same key with another
 * request is a 422. A retry that arrives while the first is still running waits for its result
 * (up to the run's budget plus 30 s, then 409). Only 2xx responses are kept: after a failure or a
 * cancelled run the key is free again, so the retry runs the turn.
 */
export function idempotentRunner(state: HandlerState): IdempotentRunner {
  let runner = runners.get(state);
  if (!runner) {
    runner = createRunner(state);
    runners.set(state, runner);
  }
  return runner;
}

/** One runner per handler, shared by its routes, so they share the store and the local waits. */
const runners = new WeakMap<HandlerState, IdempotentRunner>();

function createRunner(state: HandlerState): IdempotentRunner {
  const store = storeOf(state);
  const ttlMs = state.options.idempotency === false ? 0 : (state.options.idempotency?.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS);
  const leaseMs = (state.options.limits?.runTimeoutMs ?? state.agent.currentSettings.runTimeoutMs) + LEASE_MARGIN_MS;
  // Runs of this process, so a local retry wakes up when the first ends instead of polling.
  const local = new Map<string, Promise<unknown>>();

  return async (context, turn, respond) => {
    const { userId } = turn;
    const conversation = conversationKey(userId, turn.conversationId);
    const key = idempotencyKeyOf(context);
    if (key === undefined) return respond();
    if (state.options.idempotency === false) {
      throw new HttpApiError(400, 'idempotency_disabled', 'This server does not accept Idempotency-Key (idempotency: false); send the request without it', { param: IDEMPOTENCY_HEADER });
    }
    const principal = context.get('principal');
    const route = `${context.req.method} ${context.req.path}`;
    const scope = sha256([principal.bucketId, userId, route, key]);
    const turnHeaders = ['x-entity-user-id', 'x-entity-conversation-id'].map((name) => context.req.header(name) ?? '');
    const fingerprint = sha256([route, ...turnHeaders, await context.req.text()]);
    const records = await store();
    const deadline = Date.now() + leaseMs;
    for (let attempt = 0; ; attempt++) {
      const claim = await records.claim({ scope, fingerprint, leaseMs, ttlMs, conversation });
      if (claim.kind === 'mismatch') {
        throw new HttpApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was already used for a different request; use a new key for a new request', { param: IDEMPOTENCY_HEADER });
      }
      if (claim.kind === 'done') {
        return new Response(claim.response.body, {
          status: claim.response.status,
          headers: { 'content-type': 'application/json', [IDEMPOTENT_REPLAYED_HEADER]: 'true' },
        });
      }
      if (claim.kind === 'claimed') {
        const finished = (async () => {
          try {
            const response = await respond();
            if (response.status >= 200 && response.status < 300) {
              await records.complete(scope, claim.owner, { status: response.status, body: await response.clone().text() });
            } else {
              await records.release(scope, claim.owner);
            }
            return response;
          } catch (error) {
            await records.release(scope, claim.owner).catch((releaseError: unknown) => {
              state.logger.warn(`could not release an idempotency key: ${(releaseError as Error)?.message ?? String(releaseError)}`, { component: 'http' });
            });
            throw error;
          }
        })();
        local.set(scope, finished);
        try {
          return await finished;
        } finally {
          if (local.get(scope) === finished) local.delete(scope);
        }
      }
      // Running elsewhere: wait for it, then look again.
      if (Date.now() >= deadline || context.req.raw.signal.aborted) {
        throw new HttpApiError(409, 'idempotency_key_in_use', 'A request with this Idempotency-Key is still running; retry later', {
          param: IDEMPOTENCY_HEADER,
          headers: { 'retry-after': '1' },
        });
      }
      const running = local.get(scope);
      if (running) await running.catch(() => undefined);
      else await sleep(Math.min(50 * 2 ** attempt, 500), context.req.raw.signal);
    }
  };
}
