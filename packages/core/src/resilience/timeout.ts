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
  let timer: NodeJS.Timeout | undefined;
  let rejectCancelled: (error: Error) => void = () => {};
  const cancelled = new Promise<never>((_, reject) => {
    rejectCancelled = reject;
  });
  const onParentAbort = () => {
    rejectCancelled(new CancelledError());
    controller.abort(parentSignal?.reason ?? new CancelledError());
  };
  parentSignal?.addEventListener('abort', onParentAbort, { once: true });
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new TimeoutError(`${description} timed out after ${timeoutMs} ms`, timeoutMs);
      // Reject first: an operation that settles from inside its abort listener must not win the race.
      reject(error);
      controller.abort(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([operation(controller.signal), timedOut, cancelled]);
  } finally {
    clearTimeout(timer);
    parentSignal?.removeEventListener('abort', onParentAbort);
  }
}
