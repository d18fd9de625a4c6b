export {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitBreakerStats,
  type CircuitState,
} from './circuit-breaker.js';
export { createResilientCall, type ResilientCall, type ResilientCallOptions } from './resilient-call.js';
export { computeRetryDelay, isRetryableError, type RetryOptions, retry } from './retry.js';
export { sleep } from './sleep.js';
export { withTimeout } from './timeout.js';
