import { CircuitBreaker, type ResilientCall, TimeoutError, createResilientCall, isRetryableError } from '@entity/core';
import { MemoryDatabaseError, toMemoryError } from './database-errors.js';
import type { SqlDriver, SqlExecutor } from './drivers/sql-driver.js';

/** How database calls are protected. */
export interface DatabaseResilienceOptions {
  /**
   * Time budget of one attempt in ms, at least 100. Default: 30 000. When it runs out the work is
   * cancelled in the database (Postgres: `pg_cancel_backend`; PGlite: its worker rolls back) and
   * never commits later. On Postgres the server's `statement_timeout` is also set a little lower
   * (by a fifth, at most 1 s: 30 s → 29 s, 500 ms → 400 ms) as a second line of defence.
   */
  timeoutMs?: number;
  /** Time budget of a migration run (including waiting for another worker's migrations), in ms, at least 100. Default: 600 000. */
  migrationTimeoutMs?: number;
  /** Retries after a transient failure (connection lost, deadlock). Default: 2. */
  retries?: number;
  /** Consecutive availability failures that open the circuit. Default: 3 (databases, by design). */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe call, in ms. Default: 30 000. */
  resetTimeoutMs?: number;
  /** Clock for the circuit breaker; injectable for tests. Default: Date.now. */
  now?: () => number;
}

/** Only signs of an unavailable database count against the circuit; a plugin's bad SQL does not. */
const isAvailabilityFailure = (error: unknown) =>
  (MemoryDatabaseError.isInstance(error) && error.transient) || TimeoutError.isInstance(error);

/**
 * Every memory operation goes through here: driver errors become safe Entity errors, and
 * `createResilientCall` adds the timeout, the shared circuit breaker and retries. Writes that
 * are not idempotent (appends) are retried only when the failed attempt cannot have taken effect.
 */
export class Database {
  readonly circuitBreaker: CircuitBreaker;
  private readonly idempotentCall: ResilientCall;
  private readonly writeCall: ResilientCall;
  private readonly migrationTimeoutMs: number;
  private readonly timeoutMs: number;

  constructor(
    readonly driver: SqlDriver,
    options: DatabaseResilienceOptions = {},
  ) {
    this.circuitBreaker = new CircuitBreaker({
      name: `memory:${driver.kind}`,
      failureThreshold: options.failureThreshold ?? 3,
      resetTimeoutMs: options.resetTimeoutMs ?? 30_000,
      isIgnorable: (error) => !isAvailabilityFailure(error),
      ...(options.now ? { now: options.now } : {}),
    });
    // No timeoutMs here: core's timeout would only stop waiting, while the work kept running
    // and could still commit. call() gives the driver a deadline signal instead.
    const shared = { name: `memory:${driver.kind}`, circuitBreaker: this.circuitBreaker };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const retries = options.retries ?? 2;
    this.migrationTimeoutMs = options.migrationTimeoutMs ?? 600_000;
    this.idempotentCall = createResilientCall({ ...shared, retry: { retries, baseDelayMs: 100, shouldRetry: isRetryableError } });
    this.writeCall = createResilientCall({
      ...shared,
      retry: { retries, baseDelayMs: 100, shouldRetry: (error) => MemoryDatabaseError.isInstance(error) && error.retryable },
    });
  }

  /** Runs `work` against the database (outside a transaction). */
  run<T>(operation: string, work: (executor: SqlExecutor) => Promise<T>, options: { idempotent: boolean }): Promise<T> {
    return this.call(operation, options.idempotent, (signal) => work(this.driver.executor(signal)));
  }

  /** Runs `work` in one transaction: all of it lands or none of it does. */
  transaction<T>(operation: string, work: (executor: SqlExecutor) => Promise<T>, options: { idempotent: boolean }): Promise<T> {
    return this.call(operation, options.idempotent, (signal) => this.driver.transaction(work, signal));
  }

  /** A migration transaction: long-running DDL and waiting for other workers get a longer budget. */
  migration<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T> {
    return this.call('migration', true, (signal) => this.driver.transaction(work, signal), this.migrationTimeoutMs);
  }

  private call<T>(operation: string, idempotent: boolean, work: (signal: AbortSignal) => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    const context = { operation, provider: this.driver.kind, idempotent };
    const attempt = async (callerSignal: AbortSignal) => {
      const deadline = new AbortController();
      const timer = setTimeout(
        () => deadline.abort(new TimeoutError(`memory:${this.driver.kind} ${operation} timed out after ${timeoutMs} ms`, timeoutMs)),
        timeoutMs,
      );
      const signal = AbortSignal.any([callerSignal, deadline.signal]);
      try {
        return await work(signal);
      } catch (error) {
        // The driver cancelled the work (and rolled it back): report why, not the cancellation.
        throw toMemoryError(signal.aborted ? signal.reason : error, context);
      } finally {
        clearTimeout(timer);
      }
    };
    return (idempotent ? this.idempotentCall : this.writeCall)(attempt);
  }
}
