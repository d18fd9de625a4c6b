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
 */
export interface SqlDriver extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives, without credentials: `PGlite at ./.entity/memory`, `PostgreSQL at db:5432/app`. */
  readonly description: string;
  /** Connects (or opens the files) and fails with an actionable message when it cannot. */
  open(): Promise<void>;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
