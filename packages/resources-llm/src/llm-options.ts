import type { CircuitBreaker, Logger } from '@entity/core';
import type { ModelPrice } from './pricing.js';

/** Retry policy of a provider. Policy lives here only: the SDKs' own retries are switched off. */
export interface RetrySettings {
  /** Attempts after the first one. Default: 2. */
  retries?: number;
  /** Delay before the first retry in ms (doubled each time, with jitter). Default: 500. */
  baseDelayMs?: number;
  /** Longest wait between attempts in ms, including a provider's `retry-after`. Default: 30 000. */
  maxDelayMs?: number;
}

/** Circuit breaker settings of a provider. */
export interface CircuitBreakerSettings {
  /** Consecutive failures that open the circuit. Default: 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe call goes through, in ms. Default: 30 000. */
  resetTimeoutMs?: number;
  /** Clock in ms, for tests. Default: Date.now. */
  now?: () => number;
}

/** Options every provider factory accepts. */
export interface CommonLLMOptions {
  /** Model name, e.g. `gpt-4o-mini`, `claude-haiku-4-5`, `llama3.2:3b`. */
  model: string;
  /** Time budget of each attempt in ms; for streams, the longest wait for the next event. Default: 60 000 (Ollama: 120 000). */
  timeoutMs?: number;
  /** Retry policy, or `false` to fail on the first error. Default: 2 retries with backoff, honouring `retry-after`. */
  retry?: RetrySettings | false;
  /** Circuit breaker settings, a breaker to share, or `false` for none. Default: opens after 5 consecutive failures for 30 s. */
  circuitBreaker?: CircuitBreakerSettings | CircuitBreaker | false;
  /** Sampling temperature used when a request does not set one. Default: the provider's. */
  temperature?: number;
  /** Maximum output tokens used when a request does not set one. Default: the provider's (Anthropic: 4096). */
  maxTokens?: number;
  /** Price of the model, for `usage.costUsd`. Default: the built-in table of known OpenAI/Anthropic models. */
  pricing?: ModelPrice;
  /** `fetch` used by the SDK (tests, proxies). Default: the global fetch. */
  fetch?: typeof globalThis.fetch;
  /**
   * Where this resource's warnings (retries, circuit changes) and the provider SDK's own messages
   * (stream parse errors, configuration warnings) go, instead of the SDK printing to `console`.
   * Default: the logger the agent gives the resource at start; before that, SDK messages are dropped.
   */
  logger?: Logger;
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_RETRY: Required<RetrySettings> = { retries: 2, baseDelayMs: 500, maxDelayMs: 30_000 };
export const DEFAULT_FAILURE_THRESHOLD = 5;
