// One token bucket, refilled lazily: tokens are added for the time that passed
// whenever the bucket is used, so an idle bucket costs nothing.
import type { TierLimit } from '../protocol/rate-limit-tiers.ts';

export interface TokenBucket {
  tokens: number;
  refilledAt: number;
  capacity: number;
  refillPerMs: number;
}

export function newBucket(limit: TierLimit, now: number): TokenBucket {
  return { tokens: limit.capacity, refilledAt: now, capacity: limit.capacity, refillPerMs: limit.refill_rate_per_min / 60_000 };
}

export function refill(bucket: TokenBucket, now: number): void {
  const elapsed = now - bucket.refilledAt;
  if (elapsed <= 0) return;
  bucket.tokens = Math.min(bucket.capacity, bucket.tokens + elapsed * bucket.refillPerMs);
  bucket.refilledAt = now;
}

/** Takes one token when there is one; the caller refilled first. */
export function tryTake(bucket: TokenBucket): boolean {
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

/** Time until one whole token is back, rounded up to whole seconds as the reference does (at least 1 s). */
export function retryAfterMs(bucket: TokenBucket): number {
  if (bucket.refillPerMs <= 0) return 60_000;
  const ms = (1 - bucket.tokens) / bucket.refillPerMs;
  return Math.max(1, Math.ceil(ms / 1000)) * 1000;
}
