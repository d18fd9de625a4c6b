import type { PoolClient } from 'pg';

/** How long a cancelled statement may take to stop before its connection is dropped instead. */
const CANCEL_GRACE_MS = 2_000;

/**
 * One pooled connection whose running statement is cancelled on the server when the signal
 * aborts. The call then settles once the statement has stopped (bounded by a grace period,
 * after which the connection is dropped, which rolls back an open transaction on the server).
 */
export class CancellableConnection {
  private broken: Error | undefined;
  private cancelled = false;
  // A checked-out client has no pool listener: a lost connection would be an uncaught 'error'.
  private readonly onError = (error: Error) => {
    this.broken ??= error;
  };

  constructor(
    readonly client: PoolClient,
    private readonly signal: AbortSignal | undefined,
    private readonly cancelBackend: (pid: number) => Promise<void>,
  ) {
    client.on('error', this.onError);
  }

  /**
   * Runs one statement. `mayCommit`: the statement can commit by itself (autocommit, COMMIT),
   * so when it finishes despite the cancel its real result is returned, not the timeout.
   */
  async run<T>(statement: (client: PoolClient) => Promise<T>, options: { mayCommit: boolean }): Promise<T> {
    const signal = this.signal;
    signal?.throwIfAborted();
    const running = statement(this.client);
    if (!signal) return running;
    let onAbort: () => void = () => undefined;
    const stopped = new Promise<T>((resolve, reject) => {
      onAbort = () => {
        this.cancel(running).then((settled) => {
          if (settled && options.mayCommit) running.then(resolve, () => reject(signal.reason));
          else reject(signal.reason);
        }, reject);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([running, stopped]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Stops the statement on the server; drops the connection when that fails in time. True once it stopped. */
  private async cancel(running: Promise<unknown>): Promise<boolean> {
    this.cancelled = true;
    const settled = running.then(
      () => true,
      () => true,
    );
    const pid = (this.client as PoolClient & { processID?: number }).processID;
    try {
      if (pid !== undefined) await this.cancelBackend(pid);
    } catch {
      // Unreachable server: the connection is dropped below, which ends the transaction there.
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), CANCEL_GRACE_MS);
    });
    const stoppedInTime = await Promise.race([settled, grace]);
    clearTimeout(timer);
    if (!stoppedInTime) this.drop(new Error('the cancelled statement did not stop in time'));
    return stoppedInTime;
  }

  /** The connection is unusable or its state unknown: end it instead of returning it to the pool. */
  private drop(reason: Error): void {
    if (this.broken) return;
    this.broken = reason;
    this.client.end().catch(() => undefined);
  }

  /** Rolls back after a failure or a cancellation. */
  async rollback(): Promise<void> {
    if (this.broken) return;
    let timer: NodeJS.Timeout | undefined;
    const rolledBack = this.client.query('ROLLBACK').then(
      () => true,
      (error: unknown) => {
        this.broken ??= error instanceof Error ? error : new Error('rollback failed');
        return true;
      },
    );
    const grace = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), CANCEL_GRACE_MS);
    });
    const done = await Promise.race([rolledBack, grace]);
    clearTimeout(timer);
    if (!done) this.drop(new Error('the rollback did not finish in time'));
  }

  release(): void {
    this.client.off('error', this.onError);
    // After a cancel the connection is not reused: a cancel request that reaches the server
    // late must not stop the next caller's statement.
    this.client.release(this.broken ?? (this.cancelled ? new Error('cancelled') : undefined));
  }
}
