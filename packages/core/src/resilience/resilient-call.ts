import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { isRetryableError, type RetryOptions, retry } from './retry.js';
import { sleep } from './sleep.js';
import { withTimeout } from './timeout.js';

export interface ResilientCallOptions {
  /** Name used in errors and the circuit's name. */
  name: string;
  /**
   * Retry policy, or `false` for none. Default: 3 retries with exponential backoff and jitter.
   * Retrying ends as soon as the circuit is open (after the failure that opened it, or during a
   * backoff when another call opens it): the next attempt would be refused anyway, and a fallback
   * should take over without waiting.
   */
  retry?: Omit<RetryOptions, 'signal'> | false;
  /** Circuit breaker settings, an existing breaker, or `false` for none. */
  circuitBreaker?: Omit<CircuitBreakerOptions, 'name'> | CircuitBreaker | false;
  /** Time budget of each attempt in ms. Default: none. */
  timeoutMs?: number;
}

export interface ResilientCall {
  /** Runs one logical call: each attempt has the timeout, passes through the breaker, and is retried. */
  <T>(operation: (signal: AbortSignal) => Promise<T>, options?: { signal?: AbortSignal | undefined; timeoutMs?: number }): Promise<T>;
  readonly circuitBreaker: CircuitBreaker | undefined;
}

/**
 * A backoff that ends early when `breaker` opens. It then resolves, so the retry loop makes one more
 * attempt, which the open breaker refuses at once with CircuitOpenError (never retried).
 */
function backoffUntilOpen(breaker: CircuitBreaker, wait: NonNullable<RetryOptions['sleep']>): NonNullable<RetryOptions['sleep']> {
  return async (ms, signal) => {
    const controller = new AbortController();
    let opened = false;
    const stopListening = breaker.onOpen(() => {
      opened = true;
      controller.abort();
    });
    const forwardAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', forwardAbort, { once: true });
    try {
      if (signal?.aborted) forwardAbort();
      await wait(ms, controller.signal);
    } catch (error) {
      if (!opened || signal?.aborted) throw error;
    } finally {
      stopListening();
      signal?.removeEventListener('abort', forwardAbort);
    }
  };
}

/**
 * The one wrapper every external call goes through — timeout inside, circuit breaker around it,
 * retries outside — so packages compose policy instead of pasting try/catch into every method.
 */
export function createResilientCall(options: ResilientCallOptions): ResilientCall {
  const breaker =
    options.circuitBreaker === false
      ? undefined
      : options.circuitBreaker instanceof CircuitBreaker
        ? options.circuitBreaker
        : new CircuitBreaker({ name: options.name, ...options.circuitBreaker });
  const retryOptions: Omit<RetryOptions, 'signal'> = options.retry === false ? { retries: 0 } : (options.retry ?? {});
  const shouldRetry = retryOptions.shouldRetry ?? isRetryableError;
  const policy: Omit<RetryOptions, 'signal'> = breaker ? { ...retryOptions, sleep: backoffUntilOpen(breaker, retryOptions.sleep ?? sleep) } : retryOptions;
  const call = async <T>(
    operation: (signal: AbortSignal) => Promise<T>,
    callOptions: { signal?: AbortSignal | undefined; timeoutMs?: number } = {},
  ): Promise<T> => {
    const timeoutMs = callOptions.timeoutMs ?? options.timeoutMs;
    const attempt = () =>
      withTimeout(operation, timeoutMs, { signal: callOptions.signal, description: options.name });
    if (!breaker) return retry(attempt, { ...policy, signal: callOptions.signal });
    // A failure that would have been retried, but the circuit is open now: stop at once.
    let givenUp: unknown;
    const retryUnlessOpen = (error: unknown, attemptNumber: number) => {
      if (!shouldRetry(error, attemptNumber)) return false;
      if (breaker.state !== 'open') return true;
      givenUp = error;
      return false;
    };
    try {
      return await retry(() => breaker.execute(attempt), { ...policy, shouldRetry: retryUnlessOpen, signal: callOptions.signal });
    } catch (error) {
      // The caller gets what the next attempt would have got, without waiting for it; the failure is its cause.
      if (givenUp !== undefined && error === givenUp) throw breaker.openError(error);
      throw error;
    }
  };
  return Object.assign(call, { circuitBreaker: breaker });
}
