import type {
  ChatMessage,
  CircuitBreaker,
  ConversationRef,
  ConversationSummary,
  HealthReport,
  JsonValue,
  LoadMessagesOptions,
  Logger,
  Memory,
  ResourceStartContext,
  StoredMessage,
} from '@entity/core';
import { EntityError, ResourceError } from '@entity/core';
import { Database, type DatabaseResilienceOptions } from './database.js';
import { MemoryDatabaseError } from './database-errors.js';
import type { SqlDriver } from './drivers/sql-driver.js';
import { requireDimensions } from './embedders/dimensions.js';
import type { Embedder } from './embedders/embedder.js';
import { resolveEmbedder } from './embedders/resolve-embedder.js';
import { DOCUMENTS_TABLE, MEMORY_MIGRATIONS, MEMORY_OWNER, VECTORS_OWNER, vectorMigrations } from './memory-schema.js';
import { applyMigrations, MIGRATIONS_TABLE, ownTable } from './migrations.js';
import { inspectSchema, readerEmbedder } from './read-only-start.js';
import { requireResilienceOptions } from './resilience-options.js';
import { DEFAULT_EF_SEARCH, requireEfSearch, searchSettings } from './search-settings.js';
import { ConversationStore, type RetentionOptions } from './stores/conversation-store.js';
import { KeyValueStore } from './stores/key-value-store.js';
import { SqlAccess } from './stores/sql-access.js';
import { VectorStore } from './stores/vector-store.js';

/** Options shared by the PGlite and PostgreSQL memories. */
export interface MemoryOptions {
  /**
   * Length of stored embeddings, 1-2000 (pgvector's HNSW index limit). Default: the LLM
   * embedder's dimensions when one is used, else 384 (the built-in hashing embedder). Fixed
   * when the document table is first created; a later start with a different value fails
   * with a clear error.
   */
  dimensions?: number;
  /**
   * Where embeddings come from. `'auto'` (default): the `embeddingResource` LLM when it has
   * an embedding model, else the built-in hashing embedder. `'hashing'`: always local.
   * `'llm'`: require the LLM. Or pass any `Embedder`.
   */
  embedder?: Embedder | 'auto' | 'hashing' | 'llm';
  /** Resource whose `embed` is used in `'auto'`/`'llm'` mode. Default: `'llm'`. */
  embeddingResource?: string;
  /** Conversation retention. Default: keep everything. */
  retention?: RetentionOptions;
  /**
   * HNSW candidate list size per search (`hnsw.ef_search`, 1-1000): higher = better recall,
   * slower. Default: 100 (pgvector's own default is 40); the README's benchmark shows the
   * trade-off. Applied to this memory's searches only, so memories sharing a database may differ.
   */
  efSearch?: number;
  /** Timeouts, retries and the circuit breaker around database calls. */
  resilience?: DatabaseResilienceOptions;
  /** Clock in ms for timestamps and retention; injectable for tests. Default: Date.now. */
  now?: () => number;
}

const silentLogger: Logger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** What a driver needs to know at start. */
export interface DriverEnvironment {
  resourceName: string;
  log: Logger;
  /** The memory only reads (`startReadOnly`): create nothing, and refuse writes where the database can. */
  readOnly: boolean;
}

interface Started {
  database: Database;
  embedder: Embedder;
  searchSettings: ReadonlyArray<readonly [string, string]>;
}

/**
 * The Memory contract implemented once over SQL. The PGlite and PostgreSQL memories are this
 * class with a different driver: same schema, same migrations, same statements.
 */
export class DatabaseMemory implements Memory {
  readonly optionalDependencies: readonly string[];
  /** Semantic search over documents, per user. */
  readonly vectors: VectorStore;
  /**
   * Parameterised SQL and migrations for plugins that keep their own tables. The unscoped
   * escape hatch: queries here see every user's rows (scope them yourself), one statement per call.
   */
  readonly database: SqlAccess;
  private readonly keyValues: KeyValueStore;
  private readonly conversations: ConversationStore;
  private readonly now: () => number;
  private readonly efSearch: number;
  // Private fields (#): util.inspect and JSON.stringify never show them, and the driver factory
  // and a started driver hold connection settings.
  #started: Started | undefined;
  #starting: Promise<void> | undefined;
  #resourceName = 'memory';
  readonly #createDriver: (environment: DriverEnvironment) => SqlDriver;
  readonly #options: MemoryOptions;

  constructor(createDriver: (environment: DriverEnvironment) => SqlDriver, options: MemoryOptions = {}) {
    this.#createDriver = createDriver;
    this.#options = options;
    this.now = options.now ?? Date.now;
    requireResilienceOptions(options.resilience);
    if (options.dimensions !== undefined) requireDimensions(options.dimensions, 'dimensions');
    this.efSearch = requireEfSearch(options.efSearch ?? DEFAULT_EF_SEARCH);
    this.optionalDependencies = typeof options.embedder === 'object' || options.embedder === 'hashing' ? [] : [options.embeddingResource ?? 'llm'];
    const database = () => this.require().database;
    this.keyValues = new KeyValueStore(database, this.now);
    this.conversations = new ConversationStore(database, this.now, options.retention ?? {});
    this.vectors = new VectorStore(database, () => this.require().embedder, this.now, () => this.require().searchSettings);
    this.database = new SqlAccess(database);
  }

  private require(): Started {
    if (!this.#started) throw new ResourceError(this.#resourceName, `Memory "${this.#resourceName}" is not started; call start() first`);
    return this.#started;
  }

  /** The embedder in use (after start). */
  get embedder(): Embedder {
    return this.require().embedder;
  }

  /** The database circuit breaker (after start), for health pages and tests. */
  get circuitBreaker(): CircuitBreaker | undefined {
    return this.#started?.database.circuitBreaker;
  }

  /** Opens the database, applies migrations and picks the embedder. Safe to call more than once. */
  start(context?: ResourceStartContext): Promise<void> {
    return this.startOnce(context, false);
  }

  /**
   * Opens an existing memory database only to read it, for tools such as `entity metrics`:
   * no migrations, no retention pruning, no embedder record, nothing created (PGlite: the
   * folder must already hold a database, else `MEMORY_NOT_FOUND`; PostgreSQL: the session is
   * read-only and the schema is not created). Fails with `MEMORY_NOT_INITIALIZED` when the
   * memory tables are missing. A later `start()` is a no-op until `stop()`.
   */
  startReadOnly(context?: ResourceStartContext): Promise<void> {
    return this.startOnce(context, true);
  }

  private startOnce(context: ResourceStartContext | undefined, readOnly: boolean): Promise<void> {
    if (this.#started) return Promise.resolve();
    this.#starting ??= this.open(context, readOnly).finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  private async open(context: ResourceStartContext | undefined, readOnly: boolean): Promise<void> {
    this.#resourceName = context?.name ?? this.#resourceName;
    const name = this.#resourceName;
    const log = context?.log ?? silentLogger;
    const embedder = readOnly ? await readerEmbedder(this.#options, context, name) : await resolveEmbedder(this.#options, context, name);
    const driver = this.#createDriver({ resourceName: name, log, readOnly });
    await driver.open();
    const database = new Database(driver, this.#options.resilience);
    try {
      if (readOnly) {
        this.#started = { database, embedder, searchSettings: searchSettings(this.efSearch, await inspectSchema(database, name)) };
        log.debug(`memory: reading ${driver.description}`, { resource: name });
        return;
      }
      const pgvectorVersion = await this.prepareSchema(database, embedder, name, log);
      this.#started = { database, embedder, searchSettings: searchSettings(this.efSearch, pgvectorVersion) };
      const pruned = await this.conversations.pruneExpired();
      if (pruned > 0) log.info(`memory: retention removed ${pruned} expired messages`, { resource: name });
    } catch (error) {
      this.#started = undefined;
      await driver.close().catch(() => undefined);
      if (ResourceError.isInstance(error) || !EntityError.isInstance(error)) throw error;
      throw new ResourceError(name, `Memory "${name}" could not prepare ${driver.description}: ${error.message}`, { cause: error });
    }
    log.debug(`memory: ready on ${driver.description}`, { resource: name, embedder: embedder.id, dimensions: embedder.dimensions });
  }

  /** Creates or updates the tables; returns the pgvector version in use. */
  private async prepareSchema(database: Database, embedder: Embedder, name: string, log: Logger): Promise<string> {
    const { driver } = database;
    const extension = await database.run(
      'extension check',
      (sql) =>
        sql.query<{ installed: boolean; available: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector') AS installed,
                  EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') AS available`,
        ),
      { idempotent: true },
    );
    const { installed, available } = extension.rows[0]!;
    if (!installed && !available) {
      throw new ResourceError(
        name,
        `The pgvector extension is not installed on ${driver.description}. Install it on the server (Debian/Ubuntu: postgresql-<version>-pgvector, or run scripts/ensure-postgres.sh to build it; Docker: the pgvector/pgvector image in docker-compose.yml).`,
        { code: 'MEMORY_PGVECTOR_MISSING' },
      );
    }
    const migrate = (owner: string, migrations: Parameters<typeof applyMigrations>[2]) =>
      database.migration((sql) => applyMigrations(sql, owner, migrations));
    await migrate(MEMORY_OWNER, MEMORY_MIGRATIONS);
    await this.checkDimensions(database, embedder.dimensions, name, log);
    try {
      await migrate(VECTORS_OWNER, vectorMigrations(embedder.dimensions));
    } catch (error) {
      if (MemoryDatabaseError.isInstance(error) && error.sqlState === '42501') {
        throw new ResourceError(
          name,
          `Creating the vector extension on ${driver.description} needs more privileges: connect once as a superuser and run CREATE EXTENSION vector in this database.`,
          { cause: error, code: 'MEMORY_PGVECTOR_MISSING' },
        );
      }
      throw error;
    }
    await this.recordEmbedder(database, embedder, name, log);
    const version = await database.run(
      'extension version',
      (sql) => sql.query<{ version: string }>(`SELECT extversion AS version FROM pg_extension WHERE extname = 'vector'`),
      { idempotent: true },
    );
    return version.rows[0]?.version ?? '0';
  }

  private async checkDimensions(database: Database, dimensions: number, name: string, log: Logger): Promise<void> {
    const column = await database.run(
      'dimension check',
      (sql) =>
        sql.query<{ type: string }>(
          `SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute
           WHERE attrelid = ${ownTable('$1')} AND attname = 'embedding' AND NOT attisdropped`,
          [DOCUMENTS_TABLE],
        ),
      { idempotent: true },
    );
    const stored = Number(/\((\d+)\)/.exec(column.rows[0]?.type ?? '')?.[1]);
    if (column.rows.length > 0 && stored !== dimensions) {
      // With no documents stored nothing is lost by re-creating the table at the new size: a
      // zero-config agent that moves from one model provider to another keeps working.
      const recreated = await database.migration(async (sql) => {
        const anyDocument = await sql.query(`SELECT 1 FROM ${DOCUMENTS_TABLE} LIMIT 1`);
        if (anyDocument.rows.length > 0) return false;
        await sql.query(`DROP TABLE ${DOCUMENTS_TABLE}`);
        await sql.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE owner = $1`, [VECTORS_OWNER]);
        return true;
      });
      if (recreated) {
        log.info(`memory: the empty document table moves from ${stored} to ${dimensions} dimensions (the embedder changed)`, { resource: name });
        return;
      }
      throw new ResourceError(
        name,
        `Dimension mismatch: the stored documents have ${stored}-dimension embeddings but memory "${name}" is configured for ${dimensions} (embedder or dimensions changed). Set dimensions: ${stored} with a matching embedder, or use a new path/database for the new embedding model.`,
        { code: 'DIMENSION_MISMATCH', details: { stored, configured: dimensions } },
      );
    }
  }

  /** Vectors of different models are not comparable: warn once when the embedder changes. */
  private async recordEmbedder(database: Database, embedder: Embedder, name: string, log: Logger): Promise<void> {
    const previous = await database.transaction(
      'settings update',
      async (sql) => {
        const before = await sql.query<{ value: string }>(`SELECT value FROM entity_memory_settings WHERE name = 'embedder' FOR UPDATE`);
        await sql.query(
          `INSERT INTO entity_memory_settings (name, value) VALUES ('embedder', $1::jsonb)
           ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`,
          [JSON.stringify(embedder.id)],
        );
        return before.rows[0]?.value;
      },
      { idempotent: true },
    );
    if (previous !== undefined && previous !== embedder.id) {
      log.warn(
        `memory: documents were embedded with "${previous}" and new ones with "${embedder.id}"; searches mixing them are unreliable — re-add documents to re-embed them`,
        { resource: name },
      );
    }
  }

  async stop(): Promise<void> {
    await this.#starting?.catch(() => undefined);
    const started = this.#started;
    this.#started = undefined;
    await started?.database.driver.close();
  }

  async healthCheck(): Promise<HealthReport> {
    if (!this.#started) return { healthy: false, message: `Memory "${this.#resourceName}" is not started` };
    const { database } = this.#started;
    try {
      await database.run('health check', (sql) => sql.query('SELECT 1'), { idempotent: true });
      return { healthy: true, message: `${database.driver.description} is reachable`, details: { circuit: database.circuitBreaker.state } };
    } catch (error) {
      return {
        healthy: false,
        message: `${database.driver.description} is not answering: ${error instanceof Error ? error.message : String(error)}`,
        details: { circuit: database.circuitBreaker.state },
      };
    }
  }

  get<T extends JsonValue = JsonValue>(userId: string, key: string): Promise<T | undefined> {
    return this.keyValues.get<T>(userId, key);
  }
  set(userId: string, key: string, value: JsonValue): Promise<void> {
    return this.keyValues.set(userId, key, value);
  }
  delete(userId: string, key: string): Promise<boolean> {
    return this.keyValues.delete(userId, key);
  }
  list(userId: string, prefix?: string): Promise<string[]> {
    return this.keyValues.list(userId, prefix);
  }
  appendMessages(ref: ConversationRef, messages: readonly ChatMessage[]): Promise<StoredMessage[]> {
    return this.conversations.appendMessages(ref, messages);
  }
  loadMessages(ref: ConversationRef, options?: LoadMessagesOptions): Promise<StoredMessage[]> {
    return this.conversations.loadMessages(ref, options);
  }
  listConversations(userId: string): Promise<ConversationSummary[]> {
    return this.conversations.listConversations(userId);
  }
  deleteConversation(ref: ConversationRef): Promise<boolean> {
    return this.conversations.deleteConversation(ref);
  }
  /** Deletes messages older than `retention.maxAgeMs` across all users (also done at start). Returns how many. */
  pruneExpired(): Promise<number> {
    return this.conversations.pruneExpired();
  }
}
