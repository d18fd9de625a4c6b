// Runs in a node:worker_threads Worker and owns one PGlite instance. PGlite executes SQL
// synchronously inside WebAssembly, so on the main thread every statement froze the event
// loop; here it only occupies this thread. Erasable TypeScript only and no package-relative
// runtime imports: in development Node loads this file directly with type stripping.
import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SerializedError, Statement, StatementResult, WorkerOptions, WorkerReply, WorkerRequest } from './protocol.js';

// The same values as in protocol.ts (runtime imports from the package are avoided, see above).
const OPERATION_RUNNING = 0;
const OPERATION_COMMITTING = 1;
const OPERATION_CANCELLED = 2;

const port = parentPort!;
const options = workerData as WorkerOptions;
const reply = (message: WorkerReply) => port.postMessage(message);

function serialize(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/** Thrown inside a transaction callback so PGlite rolls it back; never reaches the caller. */
class OperationCancelled extends Error {}

/** Steps of one open transaction, delivered in order to the callback that runs them. */
class StepQueue {
  private readonly waiting: Extract<WorkerRequest, { type: 'step' | 'end' }>[] = [];
  private wake: (() => void) | undefined;

  push(message: Extract<WorkerRequest, { type: 'step' | 'end' }>): void {
    this.waiting.push(message);
    this.wake?.();
  }

  async next(): Promise<Extract<WorkerRequest, { type: 'step' | 'end' }>> {
    while (this.waiting.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
    this.wake = undefined;
    return this.waiting.shift()!;
  }

  /** Steps that arrived but will never run (the transaction ended first). */
  drain(): Extract<WorkerRequest, { type: 'step' | 'end' }>[] {
    return this.waiting.splice(0);
  }
}

async function execute(target: PGlite | Transaction, statement: Statement): Promise<StatementResult | undefined> {
  if (statement.kind === 'exec') {
    await target.exec(statement.script);
    return undefined;
  }
  const result = await target.query<Record<string, unknown>>(statement.text, statement.params);
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}

/** Moves the operation to COMMITTING unless the main thread cancelled it first. */
function claimCommit(fate: Int32Array): void {
  if (Atomics.compareExchange(fate, 0, OPERATION_RUNNING, OPERATION_COMMITTING) !== OPERATION_RUNNING) throw new OperationCancelled();
}

async function open(): Promise<PGlite | undefined> {
  try {
    const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite/vector')]);
    return await PGlite.create(options.dataDir, { extensions: { vector } });
  } catch (error) {
    const missingPackage = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    reply({ type: 'open-failed', error: serialize(error), missingPackage });
    port.close();
    return undefined;
  }
}

const transactions = new Map<number, StepQueue>();

async function runAlone(database: PGlite, message: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  const { id, fate, statement } = message;
  try {
    const result = await database.transaction(async (transaction) => {
      if (Atomics.load(fate, 0) === OPERATION_CANCELLED) throw new OperationCancelled();
      const outcome = await execute(transaction, statement);
      claimCommit(fate);
      return outcome;
    });
    reply({ type: 'done', id, result });
  } catch (error) {
    // VACUUM and a few others refuse to run in a transaction block (25001): run those alone.
    // Once started they cannot be rolled back, so a timeout waits for their real outcome.
    if ((error as { code?: string }).code === '25001' && Atomics.compareExchange(fate, 0, OPERATION_RUNNING, OPERATION_COMMITTING) === OPERATION_RUNNING) {
      try {
        reply({ type: 'done', id, result: await execute(database, statement) });
      } catch (standaloneError) {
        reply({ type: 'failed', id, error: serialize(standaloneError) });
      }
      return;
    }
    reply({ type: 'failed', id, error: serialize(error) });
  }
}

async function runTransaction(database: PGlite, message: Extract<WorkerRequest, { type: 'begin' }>, steps: StepQueue): Promise<void> {
  const { id, fate } = message;
  try {
    await database.transaction(async (transaction) => {
      if (Atomics.load(fate, 0) === OPERATION_CANCELLED) throw new OperationCancelled();
      for (;;) {
        const next = await steps.next();
        if (next.type === 'end') {
          if (!next.commit) throw new OperationCancelled();
          claimCommit(fate);
          return;
        }
        try {
          reply({ type: 'done', id: next.id, result: await execute(transaction, next.statement) });
        } catch (error) {
          reply({ type: 'failed', id: next.id, error: serialize(error) });
        }
      }
    });
    reply({ type: 'done', id, result: undefined });
  } catch (error) {
    reply({ type: 'failed', id, error: serialize(error) });
  } finally {
    transactions.delete(id);
    for (const left of steps.drain()) {
      if (left.type === 'step') reply({ type: 'failed', id: left.id, error: serialize(new Error('the transaction has already ended')) });
    }
  }
}

function serve(database: PGlite): void {
  port.on('message', (message: WorkerRequest) => {
    switch (message.type) {
      case 'run':
        void runAlone(database, message);
        break;
      case 'begin': {
        // The queue exists before PGlite grants the transaction, so early steps wait in it.
        const steps = new StepQueue();
        transactions.set(message.id, steps);
        void runTransaction(database, message, steps);
        break;
      }
      case 'step': {
        const steps = transactions.get(message.transactionId);
        if (steps) steps.push(message);
        else reply({ type: 'failed', id: message.id, error: serialize(new Error('the transaction has already ended')) });
        break;
      }
      case 'end':
        // A transaction that already ended (rolled back after a cancel) has nothing left to end.
        transactions.get(message.transactionId)?.push(message);
        break;
      case 'close':
        void database.close().then(
          () => reply({ type: 'done', id: message.id, result: undefined }),
          (error: unknown) => reply({ type: 'failed', id: message.id, error: serialize(error) }),
        );
        break;
    }
  });
  reply({ type: 'ready' });
}

const opened = await open();
if (opened) serve(opened);
