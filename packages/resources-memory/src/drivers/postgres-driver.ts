import type { Logger } from '@entity/core';
import { MissingPackageError, ResourceError } from '@entity/core';
import type { Pool as PgPool, PoolClient, PoolConfig } from 'pg';
import { type ConnectionTarget, describeTarget } from '../connection-url.js';
import { toMemoryError } from '../database-errors.js';
import { CancellableConnection } from './postgres-cancellable-connection.js';
import type { QueryResult, SqlDriver, SqlExecutor } from './sql-driver.js';

export interface PostgresDriverOptions {
  url: string;
  target: ConnectionTarget;
  /** Resource name used in start errors. */
  resourceName: string;
  poolSize: number;
  connectTimeoutMs: number;
  /** Server-side statement timeout, so a stuck query is cancelled by the server and its transaction rolled back. */
  statementTimeoutMs: number;
  /** Tables live in this schema (created when missing); `public` stays on the path for the vector type. */
  schema: string | undefined;
  log: Logger;
  /** Sessions start read-only (`default_transaction_read_only`) and the schema is never created. */
  readOnly?: boolean;
}

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Hints per failure, naming what the user should check. */
function connectHint(error: unknown, options: PostgresDriverOptions): string {
  const code = (error as { code?: unknown } | null)?.code;
  const { host, port, database } = options.target;
  switch (code) {
    case 'ECONNREFUSED':
      return `nothing accepted the connection. Check that PostgreSQL is running and listening on ${host}:${port} (locally: scripts/ensure-postgres.sh; with Docker: docker compose up -d postgres) and that the port in the URL is right.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name "${host}" does not resolve. Check the host in the URL and your DNS/network.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no answer from ${host}:${port}. Check the host, port, firewall and network between this machine and the server.`;
    case '28P01':
    case '28000':
      return 'the server refused the login. Check the user name and password in the URL and the server\'s pg_hba.conf.';
    case '3D000':
      return `database "${database}" does not exist. Create it (createdb ${database}) or fix the database name in the URL.`;
    case '53300':
      return 'the server has no free connections. Lower poolSize or raise max_connections on the server.';
    case '57P03':
      return 'the server is starting up or shutting down. Try again in a few seconds.';
    default:
      if (error instanceof Error && /timeout/i.test(error.message)) {
        return `no answer within ${options.connectTimeoutMs} ms. Check that ${host}:${port} is reachable (firewall, network, server load).`;
      }
      if (error instanceof Error && /SSL|TLS/i.test(error.message)) {
        return 'the TLS negotiation failed. Check the sslmode in the URL against what the server supports.';
      }
      return `Check that the server at ${host}:${port} is running and the URL's user, password and database are right.`;
  }
}

/** node-postgres with a connection pool. `pg` is loaded when the driver opens, not at import. */
export class PostgresDriver implements SqlDriver {
  readonly kind = 'postgres' as const;
  readonly description: string;
  // Private fields (#): util.inspect and JSON.stringify never show the URL, nor the pool's copy of it.
  #pool: PgPool | undefined;
  readonly #options: PostgresDriverOptions;

  constructor(options: PostgresDriverOptions) {
    this.#options = options;
    this.description = `PostgreSQL at ${describeTarget(options.target)}`;
  }

  async open(): Promise<void> {
    if (this.#pool) return;
    let Pool: typeof import('pg').Pool;
    try {
      ({ Pool } = (await import('pg')).default);
    } catch (error) {
      throw new MissingPackageError('pg', 'The postgres memory', { cause: error });
    }
    const { schema } = this.#options;
    const startupOptions = [
      schema ? `-c search_path=${quoteIdentifier(schema)},public` : '',
      this.#options.readOnly ? '-c default_transaction_read_only=on' : '',
    ]
      .filter(Boolean)
      .join(' ');
    const config: PoolConfig = {
      connectionString: this.#options.url,
      max: this.#options.poolSize,
      connectionTimeoutMillis: this.#options.connectTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: this.#options.statementTimeoutMs,
      application_name: 'entity-memory',
      ...(startupOptions ? { options: startupOptions } : {}),
    };
    const pool = new Pool(config);
    // An idle client losing its connection (server restart) must not crash the process.
    pool.on('error', (error) => {
      this.#options.log.warn('memory: an idle PostgreSQL connection failed; the pool will reconnect', {
        resource: this.#options.resourceName,
        errorType: (error as { code?: string }).code ?? error.name,
      });
    });
    let client: PoolClient;
    try {
      client = await pool.connect();
      await client.query('SELECT 1').catch((error: unknown) => {
        client.release();
        throw error;
      });
    } catch (error) {
      await pool.end().catch(() => undefined);
      const { host, port, database } = this.#options.target;
      throw new ResourceError(
        this.#options.resourceName,
        `Cannot connect to PostgreSQL at ${host}:${port} (database "${database}"): ${connectHint(error, this.#options)}`,
        { cause: error, code: 'MEMORY_UNREACHABLE', details: { host, port, database } },
      );
    }
    let schemaError: unknown;
    let missingSchema = false;
    try {
      if (schema && !this.#options.readOnly) await ensureSchema(client, schema);
      // A reader must not fall through to the tables in public when the schema is missing.
      else if (schema && !(await schemaExists(client, schema))) missingSchema = true;
    } catch (error) {
      schemaError = error;
    } finally {
      // Before pool.end(): it waits for every checked-out client, this one included.
      client.release();
    }
    if (missingSchema) {
      await pool.end().catch(() => undefined);
      throw new ResourceError(
        this.#options.resourceName,
        `The schema "${schema}" does not exist in ${this.description}: no agent has started on it yet (starting the agent creates it).`,
        { code: 'MEMORY_NOT_INITIALIZED' },
      );
    }
    if (schemaError !== undefined) {
      await pool.end().catch(() => undefined);
      throw schemaStartError(schemaError, schema ?? '', this.#options);
    }
    this.#pool = pool;
  }

  private requirePool(): PgPool {
    if (!this.#pool) throw new ResourceError(this.#options.resourceName, 'The postgres memory is not started; call start() first');
    return this.#pool;
  }

  query<Row = Record<string, unknown>>(text: string, params: readonly unknown[] = []): Promise<QueryResult<Row>> {
    return this.executor().query<Row>(text, params);
  }

  exec(script: string): Promise<void> {
    return this.executor().exec(script);
  }

  executor(signal?: AbortSignal): SqlExecutor {
    // Each statement takes a connection of its own, so a cancellation knows which backend to stop.
    const withConnection = async <T>(use: (connection: CancellableConnection) => Promise<T>) => {
      const connection = await this.connect(signal);
      try {
        return await use(connection);
      } finally {
        connection.release();
      }
    };
    return {
      query: <Row>(text: string, params: readonly unknown[] = []) =>
        withConnection((connection) => connection.run((client) => runQuery<Row>(client, text, params), { mayCommit: true })),
      exec: (script) =>
        withConnection(async (connection) => {
          await connection.run((client) => client.query(script), { mayCommit: true });
        }),
    };
  }

  async transaction<T>(work: (executor: SqlExecutor) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const connection = await this.connect(signal);
    try {
      await connection.run((client) => client.query('BEGIN'), { mayCommit: false });
      const result = await work({
        query: (text, params = []) => connection.run((client) => runQuery(client, text, params), { mayCommit: false }),
        exec: async (script) => {
          await connection.run((client) => client.query(script), { mayCommit: false });
        },
      });
      // Past this check the deadline no longer cancels: the COMMIT's real outcome is reported.
      signal?.throwIfAborted();
      await connection.run((client) => client.query('COMMIT'), { mayCommit: true });
      return result;
    } catch (error) {
      await connection.rollback();
      throw signal?.aborted ? signal.reason : error;
    } finally {
      connection.release();
    }
  }

  /** A pooled connection for one operation; waiting for it also ends when `signal` aborts. */
  private async connect(signal: AbortSignal | undefined): Promise<CancellableConnection> {
    signal?.throwIfAborted();
    const connecting = this.requirePool().connect();
    if (!signal) return new CancellableConnection(await connecting, undefined, this.cancelBackend);
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return new CancellableConnection(await Promise.race([connecting, aborted]), signal, this.cancelBackend);
    } catch (error) {
      // A connection that arrives after the caller gave up goes straight back to the pool.
      connecting.then((client) => client.release(), () => undefined);
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops what backend `pid` is running, over a connection of its own (the pool may be full). */
  private readonly cancelBackend = async (pid: number): Promise<void> => {
    const { Client } = (await import('pg')).default;
    const client = new Client({
      connectionString: this.#options.url,
      connectionTimeoutMillis: this.#options.connectTimeoutMs,
      application_name: 'entity-memory-cancel',
    });
    try {
      await client.connect();
      await client.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await client.end().catch(() => undefined);
    }
  };

  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }
}

async function runQuery<Row>(target: PoolClient, text: string, params: readonly unknown[]): Promise<QueryResult<Row>> {
  // `queryMode: 'extended'` forces the extended protocol even without parameters, so one call
  // can never carry a second, injected statement.
  const result = await target.query({ text, values: [...params], queryMode: 'extended' } as { text: string; values: unknown[] });
  return { rows: result.rows as Row[], rowCount: result.rowCount ?? result.rows.length };
}

/**
 * An existing schema is used as it is: a least-privilege role whose schema an administrator
 * created has no CREATE privilege on the database, and PostgreSQL checks that privilege even for
 * `CREATE SCHEMA IF NOT EXISTS` on a schema that exists.
 *
 * A missing schema is created under a transaction advisory lock keyed on its name: without it,
 * several workers starting at once can all find it missing and one then fails on
 * pg_namespace's unique index.
 */
async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  if (await schemaExists(client, schema)) return;
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('entity-memory:create-schema:' || $1))", [schema]);
    if (!(await schemaExists(client, schema))) await client.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

async function schemaExists(client: PoolClient, schema: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema]);
  return (result.rowCount ?? 0) > 0;
}

function schemaStartError(error: unknown, schema: string, options: PostgresDriverOptions) {
  const failure = toMemoryError(error, { operation: `start (creating schema "${schema}")`, provider: 'postgres', idempotent: true });
  if ((error as { code?: unknown } | null)?.code !== '42501') return failure;
  const { user, database } = options.target;
  return new ResourceError(
    options.resourceName,
    `${failure.message}: schema "${schema}" does not exist and this role may not create schemas in database "${database}". Have an administrator run CREATE SCHEMA ${quoteIdentifier(schema)} AUTHORIZATION ${user ? quoteIdentifier(user) : '<this role>'}, or grant the role CREATE on the database.`,
    { cause: error, code: 'MEMORY_SCHEMA_FORBIDDEN', details: { schema, database } },
  );
}

