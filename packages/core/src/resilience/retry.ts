import { CancelledError, CircuitOpenError, EntityError, ProviderError } from '../errors/index.js';
import { sleep } from './sleep.js';

export interface RetryOptions {
  /** Attempts after the first one. Default: 3. */
  retries?: number;
  /** Delay before the first retry in ms. Default: 200. */
  baseDelayMs?: number;
  /** Upper bound of any delay in ms. Default: 10 000. */
  maxDelayMs?: number;
  /** Growth per attempt. Default: 2. */
  factor?: number;
  /** Full jitter (random between 0 and the computed delay) to avoid thundering herds. Default: true. */
  jitter?: boolean;
  /** Decides whether an error is worth retrying. Default: `isRetryableError`. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Cancels waiting and further attempts. */
  signal?: AbortSignal | undefined;
  /** Called before each retry (for logs and metrics). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Random source in [0, 1); injectable for tests. Default: Math.random. */
  random?: () => number;
  /** Waits between attempts; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * Retryable: Entity errors flagged `retryable` (timeouts, 429, 5xx) and network
 * failures (ECONNRESET, ECONNREFUSED, socket hang-ups). Never: cancellation, open circuits, validation and other 4xx.
 */
export function isRetryableError(error: unknown): boolean {
  // An open circuit will refuse the next attempt too; waiting inside one call only delays the failure.
  if (CancelledError.isInstance(error) || CircuitOpenError.isInstance(error)) return false;
  if (EntityError.isInstance(error)) return error.retryable;
  if (error instanceof Error && error.name === 'AbortError') return false;
  const code = (error as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET'].includes(code)
  );
}

/** The delay before retry number `attempt` (1-based), honouring a provider's `retry-after`. */
export function computeRetryDelay(attempt: number, error: unknown, options: RetryOptions = {}): number {
  const { baseDelayMs = 200, maxDelayMs = 10_000, factor = 2, jitter = true, random = Math.random } = options;
  if (ProviderError.isInstance(error) && error.retryAfterMs !== undefined) {
    return Math.min(maxDelayMs, Math.max(0, error.retryAfterMs));
  }
  const exponential = Math.min(maxDelayMs, baseDelayMs * factor ** (attempt - 1));
  return jitter ? Math.round(exponential / 2 + random() * (exponential / 2)) : exponential;
}

/** Calls `operation` until it succeeds, an error is not retryable, or retries run out. */
export async function retry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { retries = 3, shouldRetry = isRetryableError, signal, onRetry } = options;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw new CancelledError();
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt > retries || !shouldRetry(error, attempt) || signal?.aborted) throw error;
      const delayMs = computeRetryDelay(attempt, error, options);
      onRetry?.(error, attempt, delayMs);
      await wait(delayMs, signal);
    }
  }
}
