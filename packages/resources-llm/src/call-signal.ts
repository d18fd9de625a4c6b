import { AsyncLocalStorage } from 'node:async_hooks';

// Cancellation reaches the SDKs through their `fetch` rather than their `signal` option: the SDKs
// compose a caller's signal with `AbortSignal.any`, whose weakly-held composites cost a
// measurable share of a fast call in garbage collection. Two listeners do the same job here.

const currentSignal = new AsyncLocalStorage<AbortSignal>();

/** Runs `operation` so that every request the SDK makes inside it is aborted by `signal`. */
export function withCallSignal<T>(signal: AbortSignal, operation: () => Promise<T>): Promise<T> {
  return currentSignal.run(signal, operation);
}

/** A signal that aborts when either input aborts, with the first one's reason. */
export function linkSignals(first: AbortSignal, second: AbortSignal): AbortSignal {
  if (first.aborted) return first;
  if (second.aborted) return second;
  const controller = new AbortController();
  const abort = function (this: AbortSignal) {
    controller.abort(this.reason);
  };
  first.addEventListener('abort', abort, { once: true });
  second.addEventListener('abort', abort, { once: true });
  return controller.signal;
}

/** The `fetch` given to every SDK client: it joins the SDK's own signal with the calling operation's. */
export function signalAwareFetch(base: typeof globalThis.fetch = globalThis.fetch): typeof globalThis.fetch {
  return (input, init) => {
    const callSignal = currentSignal.getStore();
    if (!callSignal) return base(input, init);
    const own = init?.signal;
    return base(input, { ...init, signal: own ? linkSignals(own, callSignal) : callSignal });
  };
}
