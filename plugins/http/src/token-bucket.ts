/** Size and refill rate of one token bucket. */
export interface TokenBucketOptions {
  /** Requests allowed in a burst (the bucket's size). */
  capacity: number;
  /** Tokens added per second, up to `capacity`: the sustained request rate. */
  refillPerSecond: number;
}

/** The outcome of taking a token: allowed, or how long until one is available. */
export type TakeResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * Token buckets by id (an API key, an IP address). Buckets live in a bounded map: when it is
 * full the least recently used bucket is dropped (a dropped bucket restarts full), so a flood of
 * distinct ids cannot grow memory without bound.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly options: TokenBucketOptions,
    private readonly maxBuckets = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(id: string): TakeResult {
    const now = this.now();
    const bucket = this.buckets.get(id) ?? { tokens: this.options.capacity, updatedAt: now };
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + elapsedSeconds * this.options.refillPerSecond);
    bucket.updatedAt = now;
    // Re-inserting keeps the Map in least-recently-used order.
    this.buckets.delete(id);
    this.buckets.set(id, bucket);
    if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.refillPerSecond));
    return { allowed: false, retryAfterSeconds };
  }
}
