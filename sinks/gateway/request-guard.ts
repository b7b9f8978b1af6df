import type { IncomingMessage } from 'node:http';
import type { PipelineMetrics } from '../../core/metrics';
import { requestCredential, tokenMatches } from './auth';
import type { AuthFailureLimiter } from './auth-failures';
import { csrfRefusal } from './csrf';

export type GuardDecision =
  | { allowed: true; hasToken: boolean }
  | { allowed: false; status: number; code: string; message: string; headers?: Record<string, string> };

export interface RequestGuardOptions {
  token: string;
  allowedOrigins: readonly string[];
  failures: AuthFailureLimiter;
  metrics: PipelineMetrics;
}

const AUTH_HELP =
  'missing or wrong token: open the dashboard URL printed at start, or send Authorization: Bearer <token>';

/**
 * Who may go on, for every route alike (API, /metrics, dashboard files, WebSocket upgrades):
 * an address over its failed-authentication budget is refused with 429 before its token is even
 * compared; a missing or wrong token is counted against that budget and refused with 401 where
 * one is required (`optional`: /ready, which only hides details); a cookie-authenticated
 * request that changes or returns data must pass the CSRF check (403/415).
 */
export function requestGuard(o: RequestGuardOptions) {
  return (req: IncomingMessage, url: URL, tokenRequired: boolean): GuardDecision => {
    const ip = req.socket.remoteAddress ?? '';
    const credential = requestCredential(req, url);
    const tries = tokenRequired || credential.token !== undefined;
    if (tries) {
      const admitted = o.failures.admit(ip);
      if (!admitted.allowed) {
        o.metrics.gatewayRequestsRefused.inc({ reason: 'auth_failures' });
        const seconds = String(admitted.retryAfterSeconds);
        return {
          allowed: false,
          status: 429,
          code: 'TW_ERR_RATE_LIMITED',
          message: `too many failed authentications from this address; retry in ${seconds} s`,
          headers: { 'retry-after': seconds },
        };
      }
    }
    const hasToken = tokenMatches(credential.token, o.token);
    if (!hasToken && tries) o.failures.failed(ip);
    if (!hasToken)
      return tokenRequired
        ? { allowed: false, status: 401, code: 'TW_ERR_AUTH', message: AUTH_HELP }
        : { allowed: true, hasToken };
    const csrf = csrfRefusal(req, credential.via, o.allowedOrigins);
    if (csrf) {
      o.metrics.gatewayRequestsRefused.inc({ reason: 'cross_origin' });
      return { allowed: false, status: csrf.status, code: 'TW_ERR_CROSS_ORIGIN', message: csrf.reason };
    }
    return { allowed: true, hasToken };
  };
}
