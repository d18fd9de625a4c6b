import type { MiddlewareHandler } from 'hono';
import { addressBucketId } from './client-address.js';
import type { HandlerEnvironment } from './handler-environment.js';
import { HttpApiError } from './http-errors.js';
import { TokenBucketLimiter, type TokenBucketOptions } from './token-bucket.js';

function tooMany(retryAfterSeconds: number, what: string): HttpApiError {
  return new HttpApiError(429, 'rate_limited', `Too many requests from this ${what}; retry in ${retryAfterSeconds} s`, {
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
}

/**
 * Limits requests per client address (an IPv6 client per /64, see `addressBucketId`). Hosts that do not report the peer address (anything but
 * Node's server) are not limited per address: one shared bucket would throttle every client at once.
 */
export function limitPerAddress(bucket: TokenBucketOptions | false): MiddlewareHandler<HandlerEnvironment> {
  if (bucket === false) return (_context, next) => next();
  const limiter = new TokenBucketLimiter(bucket);
  return async (context, next) => {
    const address = context.get('clientAddress');
    if (address === undefined) return next();
    const result = limiter.take(addressBucketId(address));
    if (!result.allowed) throw tooMany(result.retryAfterSeconds, 'address');
    return next();
  };
}

/** Limits requests per API key (after authentication), with the limiter shared by every transport. */
export function limitPerKey(limiter: TokenBucketLimiter | undefined): MiddlewareHandler<HandlerEnvironment> {
  if (!limiter) return (_context, next) => next();
  return async (context, next) => {
    const result = limiter.take(context.get('principal').bucketId);
    if (!result.allowed) throw tooMany(result.retryAfterSeconds, 'API key');
    return next();
  };
}
