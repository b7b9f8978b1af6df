import type { IncomingMessage } from 'node:http';
import { csrfRefusal } from './csrf';

const req = (method: string, headers: Record<string, string>) =>
  ({ method, headers: { host: '127.0.0.1:7878', ...headers } }) as unknown as IncomingMessage;
const json = { 'content-type': 'application/json' };
const self = 'http://127.0.0.1:7878';

describe('csrfRefusal', () => {
  it('lets a cookie-authenticated JSON POST from the gateway’s own origin or a listed one through', () => {
    expect(csrfRefusal(req('POST', { ...json, origin: self }), 'cookie', [])).toBeUndefined();
    const listed = req('POST', {
      'content-type': 'application/json; charset=utf-8',
      origin: 'https://ops.example',
    });
    expect(csrfRefusal(listed, 'cookie', ['https://ops.example'])).toBeUndefined();
  });

  it('refuses a cookie-authenticated POST from another origin, even another port of the same host', () => {
    expect(
      csrfRefusal(req('POST', { ...json, origin: 'http://127.0.0.1:8080' }), 'cookie', []),
    ).toMatchObject({
      status: 403,
      reason: expect.stringContaining('http://127.0.0.1:8080'),
    });
    expect(csrfRefusal(req('POST', { ...json, origin: 'null' }), 'cookie', [])?.status).toBe(403);
    expect(csrfRefusal(req('POST', json), 'cookie', [])).toMatchObject({ status: 403, reason: /Origin/ });
  });

  it('refuses a cookie-authenticated POST that is not JSON (a form or a no-preflight fetch)', () => {
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
      ';;',
    ])
      expect(csrfRefusal(req('POST', { 'content-type': type, origin: self }), 'cookie', [])?.status).toBe(
        415,
      );
    expect(csrfRefusal(req('POST', { origin: self }), 'cookie', [])?.status).toBe(415);
  });

  it('does not judge safe methods, nor credentials a browser does not attach on its own', () => {
    expect(csrfRefusal(req('GET', { origin: 'http://evil.example' }), 'cookie', [])).toBeUndefined();
    const foreign = req('POST', { 'content-type': 'text/plain', origin: 'http://evil.example' });
    expect(csrfRefusal(foreign, 'bearer', [])).toBeUndefined();
    expect(csrfRefusal(foreign, 'query', [])).toBeUndefined();
  });
});
