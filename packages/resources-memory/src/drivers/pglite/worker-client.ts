import { Worker } from 'node:worker_threads';
import { MemoryDatabaseError } from '../../database-errors.js';
import type { QueryResult, SqlExecutor } from '../sql-driver.js';
import {
  OPERATION_CANCELLED,
  OPERATION_RUNNING,
  type SerializedError,
  type Statement,
  type StatementResult,
  type WorkerOptions,
  type WorkerReply,
  type WorkerRequest,
} from './protocol.js';

// From src/ (tests, development) Node runs the TypeScript worker directly with type stripping.
const WORKER_FILE = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/** The worker could not open the database; `missingPackage` when @electric-sql/pglite is not installed. */
export class WorkerOpenError extends Error {
  constructor(
    readonly missingPackage: boolean,
    options: { cause: unknown },
  ) {
    super('PGlite could not be opened in its worker thread', options);
    this.name = 'WorkerOpenError';
  }
}

function deserialize(error: SerializedError): Error {
  const revived = Object.assign(new Error(error.message), error.fields);
  revived.name = error.name;
  if (error.stack) revived.stack = error.stack;
  return revived;
}

const newFate = () => new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));

/** Cancels the operation unless the worker already started committing it; true when cancelled. */
const cancel = (fate: Int32Array) => Atomics.compareExchange(fate, 0, OPERATION_RUNNING, OPERATION_CANCELLED) === OPERATION_RUNNING;

const toQueryResult = <Row>(result: StatementResult | undefined): QueryResult<Row> => ({
  rows: (result?.rows ?? []) as Row[],
  rowCount: result?.rowCount ?? 0,
});

/**
 * The worker ended without close(): PGlite aborted, ran out of memory, or the thread was
 * terminated. Not transient: nothing reopens this instance, so retrying cannot help; the
 * memory must be stopped and started again (which opens a new instance).
 */
function workerStopped(dataDir: string, detail: string, cause?: unknown): MemoryDatabaseError {
  return new MemoryDatabaseError(
    'pglite',
    `The PGlite worker of ${dataDir} stopped unexpectedly (${detail}). This memory cannot be used until it is restarted: stop and start it, or restart the agent.`,
    {
      cause,
      transient: false,
      retryable: false,
      code: 'MEMORY_WORKER_EXITED',
      safeMessage: 'My memory is unavailable right now. Please try again later.',
    },
  );
}

interface Pending {
  resolve: (result: StatementResult | undefined) => void;
  reject: (error: Error) => void;
}

/**
 * The main-thread side of one PGlite worker: statements and transactions become messages and
 * the event loop stays free while PGlite works. Cancellation (an aborted signal) guarantees
 * that nothing of the operation commits afterwards: the operation's shared fate cell moves to
 * CANCELLED before the worker could claim the commit, or, when the worker claimed it first,
 * the caller waits for the real outcome.
 */
export class PgliteWorkerClient {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped: Error | undefined;
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    dataDir: string,
    onCrash: (error: Error) => void,
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type !== 'done' && reply.type !== 'failed') return;
      const waiting = this.pending.get(reply.id);
      if (!waiting) return; // cancelled: its late outcome is a rollback nobody waits for
      this.pending.delete(reply.id);
      if (reply.type === 'done') waiting.resolve(reply.result);
      else waiting.reject(deserialize(reply.error));
    });
    const crash = (reason: Error) => {
      if (this.stopped) return;
      this.stopped = reason;
      for (const [id, waiting] of this.pending) {
        this.pending.delete(id);
        waiting.reject(reason);
      }
      if (!this.closing) onCrash(reason);
    };
    worker.on('error', (error) => crash(workerStopped(dataDir, `it failed: ${error.message}`, error)));
    // Like a connection pool, an open database keeps the process alive until close().
    worker.on('exit', (code) => crash(workerStopped(dataDir, `exit code ${code}`)));
  }

  /**
   * Starts a worker and waits until its database is open. `onCrash` runs once if the worker
   * ends without close(); every waiting and later call then fails with MEMORY_WORKER_EXITED.
   */
  static open(options: WorkerOptions, onCrash: (error: Error) => void = () => undefined): Promise<PgliteWorkerClient> {
    const worker = new Worker(WORKER_FILE, { workerData: options });
    return new Promise((resolve, reject) => {
      // Only our own listeners are removed: Worker keeps internal ones (port ref counting).
      const detach = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (error: Error) => {
        detach();
        void worker.terminate();
        reject(error);
      };
      const onMessage = (reply: WorkerReply) => {
        detach();
        if (reply.type === 'ready') resolve(new PgliteWorkerClient(worker, options.dataDir, onCrash));
        else if (reply.type === 'open-failed') fail(new WorkerOpenError(reply.missingPackage, { cause: deserialize(reply.error) }));
        else fail(new Error(`unexpected first message from the PGlite worker: ${reply.type}`));
      };
      const onError = (error: Error) => fail(new WorkerOpenError(false, { cause: error }));
      const onExit = (code: number) => fail(new WorkerOpenError(false, { cause: new Error(`the PGlite worker exited with code ${code}`) }));
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }

  private post(message: WorkerRequest): void {
    this.worker.postMessage(message);
  }

  private request(message: WorkerRequest & { id: number }): Promise<StatementResult | undefined> {
    if (this.stopped) return Promise.reject(this.stopped);
    return new Promise((resolve, reject) => {
      this.pending.set(message.id, { resolve, reject });
      this.post(message);
    });
  }

  /** Rejects the request `id` now (its reply, if any, is ignored). */
  private abandon(id: number, reason: unknown): void {
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    waiting.reject(reason as Error);
  }

  /** One statement in its own transaction; cancelled (rolled back) when `signal` aborts first. */
  async run(statement: Statement, signal?: AbortSignal): Promise<StatementResult | undefined> {
    signal?.throwIfAborted();
    const id = this.nextId++;
    const fate = newFate();
    const outcome = this.request({ type: 'run', id, fate, statement });
    const onAbort = () => {
      if (cancel(fate)) this.abandon(id, signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await outcome;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** An executor for statements outside a transaction. */
  executor(signal?: AbortSignal): SqlExecutor {
    return {
      query: async <Row>(text: string, params: readonly unknown[] = []) => toQueryResult<Row>(await this.run({ kind: 'query', text, params: [...params] }, signal)),
      exec: async (script: string) => {
        await this.run({ kind: 'exec', script }, signal);
      },
    };
  }

  /**
   * Runs `work` in one transaction in the worker (other statements on this instance wait, as
   * PGlite has one connection). When `signal` aborts before the commit was claimed, the
   * transaction is rolled back and the call rejects at once with the signal's reason.
   */
  async transaction<T>(work: (executor: SqlExecutor) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const id = this.nextId++;
    const fate = newFate();
    const outcome = this.request({ type: 'begin', id, fate });
    const openSteps = new Set<number>();
    let ended = false;
    const end = (commit: boolean) => {
      if (ended) return;
      ended = true;
      this.post({ type: 'end', transactionId: id, commit });
    };
    const step = async (statement: Statement) => {
      signal?.throwIfAborted();
      if (ended) throw new Error('This transaction has already finished; use the executor only inside its callback');
      const stepId = this.nextId++;
      openSteps.add(stepId);
      try {
        return await this.request({ type: 'step', id: stepId, transactionId: id, statement });
      } finally {
        openSteps.delete(stepId);
      }
    };
    const executor: SqlExecutor = {
      query: async <Row>(text: string, params: readonly unknown[] = []) => toQueryResult<Row>(await step({ kind: 'query', text, params: [...params] })),
      exec: async (script: string) => {
        await step({ kind: 'exec', script });
      },
    };
    let rejectAborted: (reason: unknown) => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      rejectAborted = reject;
    });
    const onAbort = () => {
      if (!cancel(fate)) return; // the worker is committing: its real outcome follows
      end(false);
      for (const stepId of openSteps) this.abandon(stepId, signal!.reason);
      this.abandon(id, signal!.reason);
      rejectAborted(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const run = async () => {
      let result: T;
      try {
        result = await work(executor);
      } catch (error) {
        end(false);
        await outcome.catch(() => undefined);
        throw error;
      }
      end(true);
      await outcome;
      return result;
    };
    try {
      // Promise.race subscribes to both, so whichever loses settles unobserved without warnings.
      return await Promise.race([run(), aborted]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      outcome.catch(() => undefined);
    }
  }

  /** Closes the database and ends the worker. */
  async close(): Promise<void> {
    this.closing = true;
    if (!this.stopped) await this.request({ type: 'close', id: this.nextId++ });
    this.stopped ??= new Error('Connection terminated: the PGlite memory was closed');
    await this.worker.terminate();
  }
}
