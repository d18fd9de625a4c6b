import { describe, expect, it } from 'vitest';
import { CancelledError, CircuitBreaker, CircuitOpenError, createResilientCall, ProviderError, retry, TimeoutError, ValidationError, withTimeout } from '../src/index.js';
import { computeRetryDelay } from '../src/internal.js';

const failing = (error: unknown = new ProviderError('x', 'boom', { retryable: true })) => () => Promise.reject(error);
const ok = () => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  it('opens after the threshold, goes half-open after the reset timeout, and closes on a good probe', async () => {
    let now = 1_000;
    const transitions: string[] = [];
    const breaker = new CircuitBreaker({
      name: 'llm',
      failureThreshold: 3,
      resetTimeoutMs: 5_000,
      now: () => now,
      onStateChange: (from, to) => transitions.push(`${from}->${to}`),
    });
    for (let i = 0; i < 3; i++) await expect(breaker.execute(failing())).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
    const rejected = await breaker.execute(ok).catch((e: unknown) => e);
    expect(CircuitOpenError.isInstance(rejected)).toBe(true);
    expect((rejected as CircuitOpenError).retryInMs).toBe(5_000);

    now += 4_999;
    expect(breaker.state).toBe('open');
    now += 1;
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
    expect(breaker.stats).toMatchObject({ rejected: 1, totalFailures: 3, totalSuccesses: 1 });
  });

  it('re-opens when the half-open probe fails and lets only one probe through', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ name: 'db', failureThreshold: 1, resetTimeoutMs: 100, now: () => now });
    await expect(breaker.execute(failing())).rejects.toThrow();
    now = 100;
    let release!: () => void;
    const probe = breaker.execute(() => new Promise<never>((_, reject) => { release = () => reject(new Error('still down')); }));
    await expect(breaker.execute(ok)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    release();
    await expect(probe).rejects.toThrow('still down');
    expect(breaker.state).toBe('open');
    expect(breaker.stats.openedAt).toBe(100);
  });

  it('does not count ignorable errors (validation, cancellation)', async () => {
    const breaker = new CircuitBreaker({ name: 'x', failureThreshold: 1 });
    await expect(breaker.execute(failing(new ValidationError('bad input')))).rejects.toThrow();
    await expect(breaker.execute(failing(new CancelledError()))).rejects.toThrow();
    expect(breaker.state).toBe('closed');
  });

  it('resets consecutive failures on success', async () => {
    const breaker = new CircuitBreaker({ name: 'x', failureThreshold: 2 });
    await breaker.execute(failing()).catch(() => {});
    await breaker.execute(ok);
    await breaker.execute(failing()).catch(() => {});
    expect(breaker.state).toBe('closed');
  });
});

describe('retry', () => {
  it('retries retryable errors with growing delays, then gives up', async () => {
    const delays: number[] = [];
    let attempts = 0;
    const error = await retry(
      () => {
        attempts++;
        return Promise.reject(new ProviderError('p', '503', { retryable: true, status: 503 }));
      },
      { retries: 3, baseDelayMs: 100, jitter: false, sleep: async (ms) => void delays.push(ms) },
    ).catch((e: unknown) => e);
    expect(attempts).toBe(4);
    expect(delays).toEqual([100, 200, 400]);
    expect((error as ProviderError).status).toBe(503);
  });

  it('never retries non-retryable errors such as 4xx validation failures', async () => {
    let attempts = 0;
    await expect(
      retry(() => {
        attempts++;
        return Promise.reject(new ProviderError('p', '400 bad request', { status: 400 }));
      }, { sleep: async () => {} }),
    ).rejects.toThrow('400');
    expect(attempts).toBe(1);
  });

  it('honours retry-after over the backoff schedule', () => {
    const error = new ProviderError('p', '429', { retryable: true, status: 429, retryAfterMs: 1_500 });
    expect(computeRetryDelay(1, error, { baseDelayMs: 10 })).toBe(1_500);
    expect(computeRetryDelay(1, error, { maxDelayMs: 1_000 })).toBe(1_000);
  });

  it('keeps jittered delays between half and all of the exponential delay', () => {
    const error = new Error('x');
    expect(computeRetryDelay(3, error, { baseDelayMs: 100, random: () => 0 })).toBe(200);
    expect(computeRetryDelay(3, error, { baseDelayMs: 100, random: () => 0.999 })).toBeLessThanOrEqual(400);
  });

  it('retries network errors by code', async () => {
    let attempts = 0;
    const result = await retry(
      () => {
        attempts++;
        return attempts < 3 ? Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' })) : Promise.resolve('done');
      },
      { sleep: async () => {} },
    );
    expect(result).toBe('done');
  });
});

describe('withTimeout and createResilientCall', () => {
  it('times out, aborting the operation signal', async () => {
    let signalAborted = false;
    const error = await withTimeout(
      (signal) => new Promise((resolve) => signal.addEventListener('abort', () => { signalAborted = true; resolve('late'); })),
      20,
    ).catch((e: unknown) => e);
    expect(TimeoutError.isInstance(error)).toBe(true);
    expect(signalAborted).toBe(true);
  });

  it('composes timeout, breaker and retry: timeouts are retried, then the circuit opens', async () => {
    let attempts = 0;
    const call = createResilientCall({
      name: 'provider',
      timeoutMs: 10,
      retry: { retries: 1, sleep: async () => {} },
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 60_000 },
    });
    const hang = () => {
      attempts++;
      return new Promise<never>(() => {});
    };
    await expect(call(hang)).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(attempts).toBe(2);
    expect(call.circuitBreaker?.state).toBe('open');
    await expect(call(ok)).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
  });
});

describe('retry and open circuits', () => {
  it('does not wait and retry while the circuit is open', async () => {
    let attempts = 0;
    const call = createResilientCall({ name: 'p', retry: { retries: 3, sleep: async () => { throw new Error('should not sleep'); } }, circuitBreaker: { failureThreshold: 1 } });
    await expect(call(failing(new ProviderError('p', 'down', { retryable: false })))).rejects.toThrow('down');
    await expect(call(() => { attempts++; return ok(); })).rejects.toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(attempts).toBe(0);
  });

  it('cancels promptly through the parent signal even if the operation settles on abort', async () => {
    const controller = new AbortController();
    const pending = withTimeout((signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('settled'))), 1_000, { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});

describe('retry stops as soon as the circuit opens', () => {
  const retryable = () => new ProviderError('p', '503 down', { retryable: true, status: 503 });

  it('does not sleep or call again after the failure that opened the circuit', async () => {
    // Deterministic: the backoff is injected and counted, nothing waits on the clock.
    const sleeps: number[] = [];
    let attempts = 0;
    const call = createResilientCall({
      name: 'provider',
      retry: { retries: 5, jitter: false, sleep: async (ms) => void sleeps.push(ms) },
      circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 60_000 },
    });
    const error = await call(() => {
      attempts++;
      return Promise.reject(retryable());
    }).catch((e: unknown) => e);
    expect(call.circuitBreaker?.state).toBe('open');
    expect(attempts).toBe(2);
    // One backoff between the two real attempts; none after the circuit opened.
    expect(sleeps).toHaveLength(1);
    // The caller (e.g. a fallback chain) gets what the next attempt would have got, at once, with the failure as its cause.
    expect(CircuitOpenError.isInstance(error)).toBe(true);
    expect(ProviderError.isInstance((error as Error).cause)).toBe(true);
    expect(((error as Error).cause as Error).message).toBe('503 down');
  });

  it('ends a backoff in progress when another call opens the shared circuit', async () => {
    const breaker = new CircuitBreaker({ name: 'shared', failureThreshold: 2, resetTimeoutMs: 60_000 });
    let sleeping!: () => void;
    const asleep = new Promise<void>((resolve) => {
      sleeping = resolve;
    });
    let attempts = 0;
    const waiting = createResilientCall({
      name: 'waiting',
      circuitBreaker: breaker,
      // A backoff that would last for ever unless the circuit interrupts it (or the signal aborts).
      retry: {
        retries: 3,
        sleep: (_ms, signal) => {
          sleeping();
          return new Promise<void>((_, reject) => signal?.addEventListener('abort', () => reject(new CancelledError())));
        },
      },
    });
    const other = createResilientCall({ name: 'other', circuitBreaker: breaker, retry: false });
    const pending = waiting(() => {
      attempts++;
      return Promise.reject(retryable());
    }).catch((e: unknown) => e);
    await asleep;
    expect(breaker.state).toBe('closed');
    await expect(other(() => Promise.reject(retryable()))).rejects.toThrow('503 down');
    expect(breaker.state).toBe('open');
    const error = await pending;
    expect(attempts).toBe(1);
    expect(CircuitOpenError.isInstance(error)).toBe(true);
  });
});
