// Messages between the main thread (PgliteWorkerClient) and the worker that owns the PGlite
// instance (pglite-worker.ts). Types only: the worker imports nothing else from the package.

/**
 * Each operation carries a shared Int32Array cell with its fate, so the commit decision and a
 * timeout on the main thread cannot both win: whoever moves the cell away from RUNNING first
 * decides. The worker commits only after RUNNING -> COMMITTING; a timeout cancels only
 * after RUNNING -> CANCELLED, and then nothing of the operation ever commits.
 */
export const OPERATION_RUNNING = 0;
export const OPERATION_COMMITTING = 1;
export const OPERATION_CANCELLED = 2;

/** One statement: parameterised (`query`) or a parameterless script (`exec`). */
export type Statement = { kind: 'query'; text: string; params: unknown[] } | { kind: 'exec'; script: string };

export type WorkerRequest =
  /** One statement in its own transaction (so a timeout can still roll it back). */
  | { type: 'run'; id: number; fate: Int32Array; statement: Statement }
  /** Opens a transaction that runs the `step`s sent with the same id until `end`. */
  | { type: 'begin'; id: number; fate: Int32Array }
  | { type: 'step'; id: number; transactionId: number; statement: Statement }
  | { type: 'end'; transactionId: number; commit: boolean }
  | { type: 'close'; id: number };

/** A driver error with its fields (`code`, `detail`, ...), as structured clone drops them from Error objects. */
export interface SerializedError {
  name: string;
  message: string;
  stack: string | undefined;
  fields: Record<string, string | number | boolean>;
}

export interface StatementResult {
  rows: Record<string, unknown>[];
  rowCount: number;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'open-failed'; error: SerializedError; missingPackage: boolean }
  | { type: 'done'; id: number; result: StatementResult | undefined }
  | { type: 'failed'; id: number; error: SerializedError };

/** Everything the worker needs at start. */
export interface WorkerOptions {
  /** Folder of the database files (real path), or `memory://...` for an in-memory database. */
  dataDir: string;
}
