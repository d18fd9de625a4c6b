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

/** How many of the least recently used buckets a new id looks at for one it may replace. */
const EVICTION_SCAN = 32;

/**
 * Token buckets by id (an API key, an IP address). Buckets live in a bounded map, so a flood of
 * distinct ids cannot grow memory without bound. When it is full, a new id replaces the least
 * recently used bucket that has refilled completely (dropping it loses nothing: it would restart
 * full anyway). A bucket still refilling — a throttled client — is never dropped, or a flood of
 * new ids would reset it; when none of the oldest buckets may go, the new id is refused for now.
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
    const existing = this.buckets.get(id);
    if (!existing && this.buckets.size >= this.maxBuckets && !this.evictRefilled(now)) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(1 / this.options.refillPerSecond)) };
    }
    const bucket = existing ?? { tokens: this.options.capacity, updatedAt: now };
    this.refill(bucket, now);
    // Re-inserting keeps the Map in least-recently-used order.
    this.buckets.delete(id);
    this.buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.options.refillPerSecond));
    return { allowed: false, retryAfterSeconds };
  }

  private refill(bucket: Bucket, now: number): void {
    const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
    bucket.tokens = Math.min(this.options.capacity, bucket.tokens + elapsedSeconds * this.options.refillPerSecond);
    bucket.updatedAt = now;
  }

  /** Drops one of the oldest buckets that is full again; false when none of them is. */
  private evictRefilled(now: number): boolean {
    let looked = 0;
    for (const [id, bucket] of this.buckets) {
      if (looked++ >= EVICTION_SCAN) return false;
      const elapsedSeconds = Math.max(0, now - bucket.updatedAt) / 1000;
      if (bucket.tokens + elapsedSeconds * this.options.refillPerSecond >= this.options.capacity) {
        this.buckets.delete(id);
        return true;
      }
    }
    return false;
  }
}
