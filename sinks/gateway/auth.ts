import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';

export const COOKIE_NAME = 'tidewatch_token';

/** Where a request's token came from: only the cookie is sent by a browser on its own (ambient). */
export type CredentialSource = 'bearer' | 'cookie' | 'query';

export interface Credential {
  token?: string;
  via?: CredentialSource;
}

/**
 * The token a request carries: `Authorization: Bearer`, then the cookie, then `?token=`. Cookies
 * are parsed by the `cookie` package, which never throws on hostile input (a value whose
 * percent-encoding is invalid is kept as sent, and so simply does not match).
 */
export function requestCredential(req: IncomingMessage, url: URL): Credential {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7).trim(), via: 'bearer' };
  const header = req.headers.cookie;
  const cookie = header ? parseCookie(header)[COOKIE_NAME] : undefined;
  if (cookie !== undefined) return { token: cookie, via: 'cookie' };
  const query = url.searchParams.get('token');
  return query === null ? {} : { token: query, via: 'query' };
}

export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  return requestCredential(req, url).token;
}

/** Constant-time comparison, so response timing does not leak the token. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/**
 * A browser's request from another site must not ride on the cookie: the Origin must be this
 * server's own (same host:port as the request) or listed. Clients that send no Origin (CLI,
 * services) are not browsers and are judged by their token alone.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

export function sessionCookie(token: string): string {
  return `${COOKIE_NAME}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
}
