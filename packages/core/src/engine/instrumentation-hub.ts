import type { Instrumentation, OperationEnd, OperationStart } from '../contracts/instrumentation.js';

type EndOperation = (end: OperationEnd) => void;

/** Ends an operation; a no-op when nobody observes. */
export type OperationHandle = EndOperation;

const noop: OperationHandle = () => {};

/**
 * Operation ids are unique in the process, not per agent: a run of one agent started by a tool of
 * another (`agentTool`) names that tool call as its parent, and the two must not share ids.
 */
let nextOperationId = 1;

/**
 * Fans every engine operation out to the registered observers. Observers must never break a
 * turn, so their exceptions are swallowed here, once, instead of at every call site.
 */
export class InstrumentationHub {
  private observers: Instrumentation[] = [];

  add(observer: Instrumentation): void {
    this.observers.push(observer);
  }

  clear(): void {
    this.observers = [];
  }

  get active(): boolean {
    return this.observers.length > 0;
  }

  /** Allocates an id for an operation, so children can point at it even when nobody observes. */
  newId(): number {
    return nextOperationId++;
  }

  start(operation: Omit<OperationStart, 'startTime'>): OperationHandle {
    if (this.observers.length === 0) return noop;
    const started: OperationStart = { ...operation, startTime: performance.now() };
    const ends: EndOperation[] = [];
    for (const observer of this.observers) {
      try {
        const end = observer.start(started);
        if (end) ends.push(end);
      } catch {
        // An observer that throws is skipped for this operation; the turn goes on.
      }
    }
    if (ends.length === 0) return noop;
    return (end) => {
      for (const finish of ends) {
        try {
          finish(end);
        } catch {
          // See above: observers never break a turn.
        }
      }
    };
  }
}

/** The class name or Entity error code of an error, for metrics and logs. */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (error as { safeMessage?: unknown }).safeMessage !== undefined) return code;
    if (error instanceof Error) return error.name;
  }
  return typeof error;
}

export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
