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

  it('holds at most maxBuckets ids, replacing only buckets that refilled completely', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ capacity: 1, refillPerSecond: 1 }, 2, () => now);
    limiter.take('a');
    limiter.take('b');
    // Both are drained: a new id may not push out either, or a flood of ids would reset them.
    expect(limiter.take('c')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('a').allowed).toBe(false);
    now = 1_500; // a and b are full again: c replaces the least recently used one
    expect(limiter.take('c').allowed).toBe(true);
    expect(limiter.take('c').allowed).toBe(false);
  });

  it('a flood of distinct ids does not reset a throttled client', () => {
    const limiter = new TokenBucketLimiter({ capacity: 2, refillPerSecond: 0.001 }, 10_000, () => 0);
    limiter.take('ip:victim');
    limiter.take('ip:victim');
    expect(limiter.take('ip:victim').allowed).toBe(false);
    for (let index = 0; index < 10_000; index++) limiter.take(`ip6:2001:db8:${index.toString(16)}:0::/64`);
    expect(limiter.take('ip:victim').allowed).toBe(false);
  });
});
