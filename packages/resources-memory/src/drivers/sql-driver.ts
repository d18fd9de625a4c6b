/** Rows and affected-row count of one statement. */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

/** Runs one parameterised statement (extended protocol: a single statement, never string-built). */
export interface SqlExecutor {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
  /** Runs a script of several statements without parameters (migrations only). */
  exec(script: string): Promise<void>;
}

/**
 * What the memory needs from a database: the two drivers (PGlite, node-postgres) implement
 * this and everything above it is shared, so both run the same SQL and migrations.
 *
 * Cancellation: when the `signal` given to `executor` or `transaction` aborts, the driver
 * stops the work (Postgres: `pg_cancel_backend`; PGlite: the worker rolls back) and rejects
 * with the signal's reason, and nothing of that work commits afterwards. Only when the commit
 * had already been sent does the call wait for it and report its real outcome.
 */
export interface SqlDriver extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives, without credentials: `PGlite at ./.entity/memory`, `PostgreSQL at db:5432/app`. */
  readonly description: string;
  /** Connects (or opens the files) and fails with an actionable message when it cannot. */
  open(): Promise<void>;
  /** Statements outside a transaction that stop when `signal` aborts. */
  executor(signal?: AbortSignal): SqlExecutor;
  /** Runs `work` in one transaction on one connection; rolls back when it throws or `signal` aborts. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>, signal?: AbortSignal): Promise<T>;
  close(): Promise<void>;
}
