import { randomUUID } from 'node:crypto';

/** A response kept for replay: its status and JSON body. */
export interface StoredResponse {
  status: number;
  body: string;
}

/** What `claim` found for a key. */
export type IdempotencyClaim =
  /** The caller owns the key now: run the request, then `complete` or `release` with `owner`. */
  | { kind: 'claimed'; owner: string }
  /** The first request with this key finished: replay its response. */
  | { kind: 'done'; response: StoredResponse }
  /** The first request with this key is still running. */
  | { kind: 'running' }
  /** The key was used for a different request. */
  | { kind: 'mismatch' };

export interface ClaimRequest {
  /** Hash of credential, user, route and key: two callers never share a record. */
  scope: string;
  /** Hash of what the request asks for; the same key with another request is refused. */
  fingerprint: string;
  /** How long the claim holds before another request may take over a crashed owner's key. */
  leaseMs: number;
  /** How long the finished response is kept for replay. */
  ttlMs: number;
  /** Hash of the user and conversation the turn belongs to, so deleting the conversation deletes its replays. */
  conversation: string;
}

/** Where `Idempotency-Key` records live: the memory's database, or this process. */
export interface IdempotencyStore {
  readonly kind: 'database' | 'process';
  claim(request: ClaimRequest): Promise<IdempotencyClaim>;
  /** Stores the response of the owner's request for replay. */
  complete(scope: string, owner: string, response: StoredResponse): Promise<void>;
  /** Drops the owner's unfinished record (the request failed), so a retry runs again. */
  release(scope: string, owner: string): Promise<void>;
  /** Drops every record of a conversation (it was deleted: its answers must not be replayed). */
  forgetConversation(conversation: string): Promise<void>;
}

interface ProcessRecord {
  fingerprint: string;
  conversation: string;
  owner: string;
  response?: StoredResponse;
  lockedUntil: number;
  expiresAt: number;
}

/**
 * Records in this process's memory, for memories without a database. Lost on restart and not
 * shared between instances; bounded by `maxEntries` (the oldest finished records go first).
 */
export class ProcessIdempotencyStore implements IdempotencyStore {
  readonly kind = 'process';
  // Insertion order is claim order; with one TTL for all it is also expiry order.
  private readonly records = new Map<string, ProcessRecord>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(request: ClaimRequest): Promise<IdempotencyClaim> {
    const now = this.now();
    this.evict(now);
    const existing = this.records.get(request.scope);
    if (existing && existing.expiresAt > now) {
      if (existing.fingerprint !== request.fingerprint) return { kind: 'mismatch' };
      if (existing.response) return { kind: 'done', response: existing.response };
      if (existing.lockedUntil > now) return { kind: 'running' };
    }
    const owner = randomUUID();
    this.records.delete(request.scope);
    this.records.set(request.scope, { fingerprint: request.fingerprint, conversation: request.conversation, owner, lockedUntil: now + request.leaseMs, expiresAt: now + request.ttlMs });
    return { kind: 'claimed', owner };
  }

  async complete(scope: string, owner: string, response: StoredResponse): Promise<void> {
    const record = this.records.get(scope);
    if (record?.owner === owner) record.response = response;
  }

  async release(scope: string, owner: string): Promise<void> {
    if (this.records.get(scope)?.owner === owner) this.records.delete(scope);
  }

  async forgetConversation(conversation: string): Promise<void> {
    for (const [scope, record] of this.records) if (record.conversation === conversation) this.records.delete(scope);
  }

  private evict(now: number): void {
    for (const [scope, record] of this.records) {
      if (record.expiresAt > now && this.records.size <= this.maxEntries) break;
      // Running records stay even when over the bound: a retry must still find them.
      if (record.expiresAt <= now || record.response) this.records.delete(scope);
      else if (this.records.size <= this.maxEntries) break;
    }
  }
}
