import { DEFAULT_SAFE_MESSAGE, EntityError } from '@entity/core';
import type { HandlerState } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';

/** An error of a run as a client may see it: its type and a message written for users. */
export interface SafeRunError {
  errorType: string;
  message: string;
}

export function safeRunError(error: unknown): SafeRunError {
  if (EntityError.isInstance(error)) return { errorType: error.code, message: error.safeMessage };
  return { errorType: 'INTERNAL', message: DEFAULT_SAFE_MESSAGE };
}

/**
 * Turns a failed `chat` into the response: 503 when the server cancelled it on shutdown or the
 * client went away, 500 otherwise — always with the safe message; the details go to the log.
 */
export function httpErrorOfRun(error: unknown, state: HandlerState, signal: AbortSignal): HttpApiError {
  const safe = safeRunError(error);
  if (signal.aborted) {
    const why = state.shutdown.signal.aborted ? 'the server is shutting down' : 'the request was aborted';
    return new HttpApiError(503, 'run_cancelled', `The run was cancelled because ${why}`);
  }
  state.logger.error(`chat request failed: ${(error as Error)?.message ?? String(error)}`, { component: 'http', errorType: safe.errorType });
  return new HttpApiError(500, 'run_failed', safe.message);
}
