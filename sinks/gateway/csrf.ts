import type { IncomingMessage } from 'node:http';
import { MIMEType } from 'node:util';
import { originAllowed, type CredentialSource } from './auth';

export interface CsrfRefusal {
  status: 403 | 415;
  reason: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  try {
    return new MIMEType(contentType).essence === 'application/json';
  } catch {
    return false;
  }
}

/**
 * Cross-site request forgery check for a request the token already admitted. Only the cookie is
 * a credential a browser attaches on its own (and a page on another port of the same host is
 * same-site, so SameSite=Strict does not stop it): a cookie-authenticated request that is not a
 * GET/HEAD must come from an allowed Origin (this host:port or listed) and carry
 * `Content-Type: application/json`, which a cross-site form or no-preflight fetch cannot send.
 * A bearer header or `?token=` is not ambient and passes. Undefined when allowed.
 */
export function csrfRefusal(
  req: IncomingMessage,
  via: CredentialSource | undefined,
  allowedOrigins: readonly string[],
): CsrfRefusal | undefined {
  if (via !== 'cookie' || SAFE_METHODS.has(req.method ?? 'GET')) return undefined;
  if (!req.headers.origin)
    return { status: 403, reason: 'a request authenticated by cookie must carry an Origin header' };
  if (!originAllowed(req, allowedOrigins))
    return {
      status: 403,
      reason: `origin ${JSON.stringify(req.headers.origin.slice(0, 200))} is not allowed`,
    };
  if (!isJson(req.headers['content-type']))
    return { status: 415, reason: 'send the body as Content-Type: application/json' };
  return undefined;
}
