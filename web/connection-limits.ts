// Connection-level limits of the agent socket: open sockets per client IP, identify
// attempts per IP, the time a socket may stay unidentified, frames worked on at once,
// and how long a socket may leave its replies unread. Defaults match runtime/config.ts.
import { newBucket, refill, retryAfterMs, tryTake, type TokenBucket } from './rate-limits/token-bucket.ts';

export interface ConnectionLimits {
  /** An agent socket that has not identified by then is closed with 4009. */
  identifyTimeoutMs: number;
  maxConnectionsPerIp: number;
  identifyAttemptsPerIpPerMin: number;
  /** Past this many frames in progress further frames are refused and count as violations. */
  maxInflightFrames: number;
  /** Client IP from X-Forwarded-For (first hop); only behind a proxy the operator runs. */
  trustProxy: boolean;
  /** Admin tokens are exempt from the buckets unless this is set. */
  limitAdmins: boolean;
  /** A socket whose replies stay unread this long (reading paused, buffer not draining) is closed with 4008. */
  backpressureGraceMs: number;
}

export const defaultConnectionLimits: ConnectionLimits = {
  identifyTimeoutMs: 30_000,
  maxConnectionsPerIp: 200,
  identifyAttemptsPerIpPerMin: 60,
  maxInflightFrames: 1024,
  trustProxy: false,
  limitAdmins: false,
  backpressureGraceMs: 10_000,
};

/** Close codes and HTTP statuses these limits answer with (docs/operations.md lists them). */
export const closeCodes = {
  identifyTimeout: 4009,
  backpressure: 4008,
  rateLimited: 1008,
} as const;

/** The client's address: the socket's peer, or the first X-Forwarded-For hop when the proxy is trusted. */
export function clientIp(peer: string, forwardedFor: string, trustProxy: boolean): string {
  if (trustProxy && forwardedFor) {
    const first = forwardedFor.split(',')[0]!.trim();
    if (first) return first;
  }
  return peer;
}

/** Open sockets and identify attempts per client IP. */
export class IpLimits {
  private readonly open = new Map<string, number>();
  private readonly identifies = new Map<string, TokenBucket>();

  constructor(private readonly limits: ConnectionLimits, private readonly now: () => number = Date.now) {}

  mayConnect(ip: string): boolean {
    return (this.open.get(ip) ?? 0) < this.limits.maxConnectionsPerIp;
  }

  opened(ip: string): void {
    this.open.set(ip, (this.open.get(ip) ?? 0) + 1);
  }

  closed(ip: string): void {
    const count = (this.open.get(ip) ?? 1) - 1;
    if (count <= 0) this.open.delete(ip);
    else this.open.set(ip, count);
  }

  /**
   * 0 when the IP may try to identify now, else the ms until it may. Only failed identifies
   * use up the IP's attempts (identifyFailed): the limit is there against token guessing, and
   * a box running a hundred honest sidecars must be able to reconnect them all at once.
   */
  identifyRetryMs(ip: string): number {
    const bucket = this.identifies.get(ip);
    if (!bucket) return 0;
    refill(bucket, this.now());
    return bucket.tokens >= 1 ? 0 : retryAfterMs(bucket);
  }

  /** An identify from this IP was refused (bad token, token for another agent): one attempt used. */
  identifyFailed(ip: string): void {
    const now = this.now();
    let bucket = this.identifies.get(ip);
    if (!bucket) {
      if (this.identifies.size > 10_000) this.forgetFullBuckets(now);
      const perMin = this.limits.identifyAttemptsPerIpPerMin;
      bucket = newBucket({ capacity: perMin, refill_rate_per_min: perMin }, now);
      this.identifies.set(ip, bucket);
    } else {
      refill(bucket, now);
    }
    tryTake(bucket);
  }

  private forgetFullBuckets(now: number): void {
    for (const [ip, bucket] of this.identifies) {
      refill(bucket, now);
      if (bucket.tokens >= bucket.capacity) this.identifies.delete(ip);
    }
  }
}
