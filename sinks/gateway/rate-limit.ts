import type { Clock } from '../../core/clock';

export interface RateLimitOptions {
  /** Requests allowed per minute and IP (a bucket of this size, refilled evenly). */
  perMinute: number;
  /** IPs tracked at once; past it the least recently seen is forgotten (counted). */
  maxTracked: number;
  /** Loopback addresses (the dashboard on this host, the CLI) are not limited. */
  exemptLoopback: boolean;
  clock: Clock;
  onForget?: () => void;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/** A token bucket per client IP: `perMinute` requests, refilled at perMinute / 60 s. */
export function rateLimiter(o: RateLimitOptions) {
  if (!(o.perMinute >= 1)) throw new TypeError('rate limit: perMinute must be at least 1');
  const perMs = o.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const refill = (b: { tokens: number; at: number }, now: number) => {
    b.tokens = Math.min(o.perMinute, b.tokens + (now - b.at) * perMs);
    b.at = now;
  };
  const refused = (b: { tokens: number }): RateDecision => ({
    allowed: false,
    retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000)),
  });
  return {
    get tracked() {
      return buckets.size;
    },
    take(ip: string): RateDecision {
      if (o.exemptLoopback && LOOPBACK.test(ip)) return { allowed: true };
      const now = o.clock();
      let b = buckets.get(ip);
      if (b) {
        buckets.delete(ip); // re-inserted below: the map stays ordered by last use
        refill(b, now);
      } else {
        b = { tokens: o.perMinute, at: now };
        if (buckets.size >= o.maxTracked) {
          buckets.delete(buckets.keys().next().value!);
          o.onForget?.();
        }
      }
      buckets.set(ip, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { allowed: true };
      }
      return refused(b);
    },
    /** What `take` would decide, without taking anything (nor tracking a new IP). */
    peek(ip: string): RateDecision {
      if (o.exemptLoopback && LOOPBACK.test(ip)) return { allowed: true };
      const b = buckets.get(ip);
      if (!b) return { allowed: true };
      refill(b, o.clock());
      return b.tokens >= 1 ? { allowed: true } : refused(b);
    },
  };
}
