import { CancelledError, TimeoutError } from '../errors/index.js';

/**
 * Runs `operation` with a time budget. The operation receives a signal that aborts on timeout
 * or when `parentSignal` aborts, so well-behaved work (fetch, SDK calls) really stops.
 */
export async function withTimeout<T>(
  operation: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number | undefined,
  options: { signal?: AbortSignal | undefined; description?: string } = {},
): Promise<T> {
  const parentSignal = options.signal;
  if (parentSignal?.aborted) throw new CancelledError();
  if (timeoutMs === undefined || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    return operation(parentSignal ?? new AbortController().signal);
  }
  const controller = new AbortController();
  const description = options.description ?? 'Operation';
  // One promise settled by whichever comes first (the operation, the timer, the parent's abort),
  // rather than a race of three: this wraps every model and tool call, and the two extra
  // promises per call were a measurable share of a fast turn.
  return new Promise<T>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      parentSignal?.removeEventListener('abort', onParentAbort);
    };
    const onParentAbort = () => {
      finish();
      reject(new CancelledError());
      controller.abort(parentSignal?.reason ?? new CancelledError());
    };
    const timer = setTimeout(() => {
      finish();
      // Reject first: an operation that settles from inside its abort listener must not win the race.
      const error = new TimeoutError(`${description} timed out after ${timeoutMs} ms`, timeoutMs);
      reject(error);
      controller.abort(error);
    }, timeoutMs);
    parentSignal?.addEventListener('abort', onParentAbort, { once: true });
    let running: Promise<T>;
    try {
      running = operation(controller.signal);
    } catch (error) {
      finish();
      reject(error);
      return;
    }
    // Also a non-promise value, as `await` would take it.
    Promise.resolve(running).then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
