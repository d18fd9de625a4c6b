import type { JsonValue } from './json.js';
import type { ChatMessage } from './message.js';
import type { Resource } from './resource.js';

/** Identifies one conversation of one user. */
export interface ConversationRef {
  userId: string;
  conversationId: string;
}

/** A message as stored: append-only, ordered by `sequence` within its conversation. */
export interface StoredMessage {
  sequence: number;
  message: ChatMessage;
  createdAt: Date;
}

export interface ConversationSummary {
  conversationId: string;
  messageCount: number;
  lastMessageAt: Date;
}

export interface LoadMessagesOptions {
  /** Only the last N messages (still returned oldest first). Default: all. */
  last?: number;
}

/** Per-user key-value storage of JSON values. One user can never see another's keys. */
export interface KeyValueMemory {
  get<T extends JsonValue = JsonValue>(userId: string, key: string): Promise<T | undefined>;
  set(userId: string, key: string, value: JsonValue): Promise<void>;
  /** Returns whether the key existed. */
  delete(userId: string, key: string): Promise<boolean>;
  /** Keys of this user starting with `prefix` (all when omitted), sorted. */
  list(userId: string, prefix?: string): Promise<string[]>;
}

/** Append-only conversation history: concurrent appends never lose or duplicate a message. */
export interface ConversationMemory {
  appendMessages(ref: ConversationRef, messages: readonly ChatMessage[]): Promise<StoredMessage[]>;
  loadMessages(ref: ConversationRef, options?: LoadMessagesOptions): Promise<StoredMessage[]>;
  listConversations(userId: string): Promise<ConversationSummary[]>;
  /** Returns whether the conversation existed. */
  deleteConversation(ref: ConversationRef): Promise<boolean>;
}

export interface VectorDocumentInput {
  /** Generated when omitted. */
  id?: string;
  userId: string;
  content: string;
  metadata?: Record<string, JsonValue>;
  /** Computed with the configured embedder when omitted. */
  embedding?: number[];
}

export interface VectorQuery {
  userId: string;
  /** Text to embed, or a ready `embedding`. */
  text?: string;
  embedding?: number[];
  /** Number of results. Default: 10. */
  k?: number;
  /** Exact-match filter on metadata fields. */
  filter?: Record<string, JsonValue>;
}

export interface VectorMatch {
  id: string;
  content: string;
  metadata: Record<string, JsonValue>;
  /** Cosine distance (0 = identical direction). */
  distance: number;
}

/** Semantic search over documents, scoped by user. */
export interface VectorMemory {
  readonly dimensions: number;
  addDocuments(documents: readonly VectorDocumentInput[]): Promise<string[]>;
  search(query: VectorQuery): Promise<VectorMatch[]>;
  /** Returns how many were deleted. */
  deleteDocuments(userId: string, ids: readonly string[]): Promise<number>;
}

export interface SqlResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** A versioned schema change owned by a plugin or package. Applied once, in `version` order. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Parameterised SQL for plugins that keep their own tables: the unscoped escape hatch. Unlike
 * the rest of Memory, nothing here is limited to one user — a query sees every user's rows.
 */
export interface SqlMemory {
  /**
   * Runs ONE statement with `params` bound to `$1, $2, ...`; a second statement in `query` is
   * refused (put scripts in `migrate`). Returns every matching row of every user: scope the
   * query yourself (`WHERE user_id = $1`).
   */
  sql<Row = Record<string, unknown>>(query: string, params?: readonly unknown[]): Promise<SqlResult<Row>>;
  /** Applies `owner`'s migrations not yet applied, under a lock safe for concurrent workers. */
  migrate(owner: string, migrations: readonly Migration[]): Promise<void>;
}

/**
 * Persistent memory. Key-value and conversations are required; vector search and SQL are
 * optional capabilities (present on the PGlite and Postgres drivers).
 */
export interface Memory extends Resource, KeyValueMemory, ConversationMemory {
  readonly vectors?: VectorMemory;
  readonly database?: SqlMemory;
}
