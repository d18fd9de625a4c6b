import { CancelledError } from '@entity/core';
import type { HandlerState } from './handler-environment.js';

/** How one HTTP request controls its run. */
export interface RunCancellation {
  /** Passed to the agent: aborted with a CancelledError that says why. */
  readonly signal: AbortSignal;
  /** Cancels the run, e.g. when an SSE client's stream is closed. */
  cancel(why: string): void;
  /** Stops listening for server shutdown; call when the run is over. */
  release(): void;
}

/**
 * Cancels a run when its client goes away or the server gives up on in-flight work. The
 * CancelledError says which, so the agent's logs do too.
 */
export function runCancellation(state: HandlerState, request: Request): RunCancellation {
  const controller = new AbortController();
  const cancel = (why: string) => {
    if (!controller.signal.aborted) controller.abort(new CancelledError(`The run was cancelled: ${why}`));
  };
  const onClientGone = () => cancel('the HTTP client disconnected');
  const onShutdown = () => cancel('the HTTP server is shutting down');
  const release = () => {
    request.signal.removeEventListener('abort', onClientGone);
    state.shutdown.signal.removeEventListener('abort', onShutdown);
  };
  if (request.signal.aborted) onClientGone();
  if (state.shutdown.signal.aborted) onShutdown();
  request.signal.addEventListener('abort', onClientGone, { once: true });
  state.shutdown.signal.addEventListener('abort', onShutdown, { once: true });
  return { signal: controller.signal, cancel, release };
}
