import { describe, expect, it } from 'vitest';
import { TokenBucketLimiter } from './token-bucket.js';

describe('TokenBucketLimiter', () => {
  it('allows a burst of `capacity`, then refills at the sustained rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ capacity: 3, refillPerSecond: 2 }, 100, () => now);
    expect([1, 2, 3].map(() => limiter.take('a').allowed)).toEqual([true, true, true]);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now = 500; // half a second: one token at 2/s
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    now = 60_000; // never more than capacity
    expect([1, 2, 3, 4].map(() => limiter.take('a').allowed)).toEqual([true, true, true, false]);
  });

  it('keeps ids apart and says how long to wait at slow rates', () => {
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.1 }, 100, () => 0);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('b').allowed).toBe(true);
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 10 });
  });

  it('holds at most maxBuckets ids, dropping the least recently used', () => {
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 0.001 }, 2, () => 0);
    limiter.take('a');
    limiter.take('b');
    limiter.take('a');
    limiter.take('c'); // drops b, the least recently used
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });
});
