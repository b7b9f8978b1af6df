import type { Clock } from '../../core/clock';
import { rateLimiter, type RateDecision } from './rate-limit';

export interface AuthFailureOptions {
  /** Failed authentications allowed per minute and IP; past it every request needing one is refused. */
  perMinute: number;
  /** IPs tracked at once; past it the least recently seen is forgotten (counted through onForget). */
  maxTracked: number;
  clock: Clock;
  onForget?: () => void;
}

export interface AuthFailureLimiter {
  /**
   * Whether this IP may try a token now. Asked BEFORE the token is compared, so that while an
   * address is refused a right guess is refused too: answers cannot be used to brute-force.
   */
  admit(ip: string): RateDecision;
  /** Records one failed authentication of this IP. */
  failed(ip: string): void;
  readonly tracked: number;
}

/**
 * Per-IP budget of failed authentications, on every route (API, /metrics, dashboard files,
 * WebSocket upgrades): a token bucket of `perMinute` failures, refilled evenly. Loopback is not
 * exempt: a local process guessing the token is as much an attacker as a remote one.
 */
export function authFailureLimiter(o: AuthFailureOptions): AuthFailureLimiter {
  const buckets = rateLimiter({ ...o, exemptLoopback: false });
  return {
    admit: (ip) => buckets.peek(ip),
    failed: (ip) => void buckets.take(ip),
    get tracked() {
      return buckets.tracked;
    },
  };
}
