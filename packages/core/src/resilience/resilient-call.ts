import { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.js';
import { type RetryOptions, retry } from './retry.js';
import { withTimeout } from './timeout.js';

export interface ResilientCallOptions {
  /** Name used in errors and the circuit's name. */
  name: string;
  /** Retry policy, or `false` for none. Default: 3 retries with exponential backoff and jitter. */
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
  const retryOptions = options.retry === false ? { retries: 0 } : (options.retry ?? {});
  const call = <T>(
    operation: (signal: AbortSignal) => Promise<T>,
    callOptions: { signal?: AbortSignal | undefined; timeoutMs?: number } = {},
  ): Promise<T> => {
    const timeoutMs = callOptions.timeoutMs ?? options.timeoutMs;
    const attempt = () =>
      withTimeout(operation, timeoutMs, { signal: callOptions.signal, description: options.name });
    return retry(() => (breaker ? breaker.execute(attempt) : attempt()), { ...retryOptions, signal: callOptions.signal });
  };
  return Object.assign(call, { circuitBreaker: breaker });
}
