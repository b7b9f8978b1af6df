import type { IncomingMessage } from 'node:http';
import { COOKIE_NAME, originAllowed, requestCredential, requestToken, tokenMatches } from './auth';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('gateway auth', () => {
  it('finds the token in a bearer header, the cookie or the query, in that order', () => {
    const url = new URL('http://x/?token=q');
    expect(requestToken(req({ authorization: 'Bearer b' }), url)).toBe('b');
    expect(requestToken(req({ cookie: `a=1; ${COOKIE_NAME}=c` }), url)).toBe('c');
    expect(requestToken(req({}), url)).toBe('q');
    expect(requestToken(req({}), new URL('http://x/'))).toBeUndefined();
  });

  it('says where the token came from: only the cookie is ambient', () => {
    const url = new URL('http://x/?token=q');
    expect(requestCredential(req({ authorization: 'Bearer b' }), url).via).toBe('bearer');
    expect(requestCredential(req({ cookie: `${COOKIE_NAME}=c` }), url).via).toBe('cookie');
    expect(requestCredential(req({}), url).via).toBe('query');
    expect(requestCredential(req({}), new URL('http://x/'))).toEqual({});
  });

  it('decodes a percent-encoded cookie and never throws on hostile cookie headers', () => {
    const url = new URL('http://x/');
    expect(requestToken(req({ cookie: `${COOKIE_NAME}=a%2Fb` }), url)).toBe('a/b');
    // Invalid percent-encoding used to throw URIError out of the request handler.
    expect(requestToken(req({ cookie: `${COOKIE_NAME}=%E0%A4%A` }), url)).toBe('%E0%A4%A');
    for (const cookie of [
      '=',
      ';;;',
      `${COOKIE_NAME}`,
      `${COOKIE_NAME}=%`,
      `${COOKIE_NAME}=%ff%fe`,
      'x'.repeat(9000),
    ])
      expect(() => requestToken(req({ cookie }), url)).not.toThrow();
    expect(tokenMatches(requestToken(req({ cookie: `${COOKIE_NAME}=%E0%A4%A` }), url), 'secret')).toBe(false);
  });

  it('matches only the exact token', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches(undefined, 'abc')).toBe(false);
  });

  it('allows same-origin and listed origins, refuses others', () => {
    expect(originAllowed(req({ host: '127.0.0.1:7878', origin: 'http://127.0.0.1:7878' }), [])).toBe(true);
    expect(originAllowed(req({ host: '127.0.0.1:7878', origin: 'http://evil.example' }), [])).toBe(false);
    expect(
      originAllowed(req({ host: '127.0.0.1:7878', origin: 'https://ops.example' }), ['https://ops.example']),
    ).toBe(true);
    expect(originAllowed(req({ host: '127.0.0.1:7878', origin: 'null' }), [])).toBe(false);
    expect(originAllowed(req({ host: '127.0.0.1:7878' }), [])).toBe(true);
  });
});
