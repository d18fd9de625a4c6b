import { CancelledError, CircuitOpenError, ValidationError } from '../errors/index.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Used in errors and metrics. */
  name: string;
  /** Consecutive failures that open the circuit. Defaults by design: LLM 5, database 3, file system 2. */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe call is let through, in ms. Default: 30 000. */
  resetTimeoutMs?: number;
  /** Errors that say nothing about the dependency's health (bad input, cancellation) and do not count. */
  isIgnorable?: (error: unknown) => boolean;
  /** Clock in ms; injectable so tests control time. Default: Date.now. */
  now?: () => number;
  onStateChange?: (from: CircuitState, to: CircuitState, name: string) => void;
}

export interface CircuitBreakerStats {
  state: CircuitState;
  consecutiveFailures: number;
  totalFailures: number;
  totalSuccesses: number;
  /** Calls refused while open. */
  rejected: number;
  openedAt: number | undefined;
}

const ignoreCallerErrors = (error: unknown) => CancelledError.isInstance(error) || ValidationError.isInstance(error);

/** Closed → (threshold failures) → open → (reset timeout) → half-open → one probe → closed or open. */
export class CircuitBreaker {
  readonly name: string;
  private readonly failureThreshold: number;
  private readonly resetTimeoutMs: number;
  private readonly isIgnorable: (error: unknown) => boolean;
  private readonly now: () => number;
  private readonly onStateChange: CircuitBreakerOptions['onStateChange'];
  private currentState: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private totalFailures = 0;
  private totalSuccesses = 0;
  private rejected = 0;
  private openedAt: number | undefined;
  private probeInFlight = false;
  private readonly openListeners = new Set<() => void>();

  constructor(options: CircuitBreakerOptions) {
    this.name = options.name;
    this.failureThreshold = options.failureThreshold ?? 5;
    this.resetTimeoutMs = options.resetTimeoutMs ?? 30_000;
    this.isIgnorable = options.isIgnorable ?? ignoreCallerErrors;
    this.now = options.now ?? Date.now;
    this.onStateChange = options.onStateChange;
  }

  /** The state now (an open circuit past its timeout reads as half-open). */
  get state(): CircuitState {
    if (this.currentState === 'open' && this.openedAt !== undefined && this.now() - this.openedAt >= this.resetTimeoutMs) {
      return 'half-open';
    }
    return this.currentState;
  }

  get stats(): CircuitBreakerStats {
    return {
      state: this.state,
      consecutiveFailures: this.consecutiveFailures,
      totalFailures: this.totalFailures,
      totalSuccesses: this.totalSuccesses,
      rejected: this.rejected,
      openedAt: this.openedAt,
    };
  }

  /** Runs `operation` unless the circuit is open; records the outcome. */
  async execute<T>(operation: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.probeInFlight)) {
      this.rejected++;
      throw this.openError();
    }
    const isProbe = state === 'half-open';
    if (isProbe) {
      this.transition('half-open');
      this.probeInFlight = true;
    }
    try {
      const result = await operation();
      this.recordSuccess();
      return result;
    } catch (error) {
      if (this.isIgnorable(error)) {
        if (isProbe) this.transition('open', this.openedAt);
      } else {
        this.recordFailure();
      }
      throw error;
    } finally {
      if (isProbe) this.probeInFlight = false;
    }
  }

  /** The error a call gets while the circuit is open; `cause` is the failure that made the caller give up, if any. */
  openError(cause?: unknown): CircuitOpenError {
    const retryInMs = this.openedAt === undefined ? this.resetTimeoutMs : this.openedAt + this.resetTimeoutMs - this.now();
    return new CircuitOpenError(this.name, retryInMs, cause === undefined ? {} : { cause });
  }

  /**
   * Calls `listener` every time the circuit opens, so work waiting on this dependency (a retry's
   * backoff) can give up at once. Returns a function that removes the listener.
   */
  onOpen(listener: () => void): () => void {
    this.openListeners.add(listener);
    return () => this.openListeners.delete(listener);
  }

  /** Forces the circuit closed (e.g. after an operator fixed the dependency). */
  reset(): void {
    this.consecutiveFailures = 0;
    this.transition('closed');
  }

  private recordSuccess(): void {
    this.totalSuccesses++;
    this.consecutiveFailures = 0;
    if (this.currentState !== 'closed') this.transition('closed');
  }

  private recordFailure(): void {
    this.totalFailures++;
    this.consecutiveFailures++;
    if (this.currentState === 'half-open' || this.consecutiveFailures >= this.failureThreshold) {
      this.transition('open', this.now());
    }
  }

  private transition(to: CircuitState, openedAt?: number): void {
    const from = this.currentState;
    this.currentState = to;
    this.openedAt = to === 'open' ? openedAt : to === 'closed' ? undefined : this.openedAt;
    if (from === to) return;
    this.onStateChange?.(from, to, this.name);
    if (to === 'open') for (const listener of [...this.openListeners]) listener();
  }
}
