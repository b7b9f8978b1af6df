import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface TlsRegistryProxy {
  /** The https origin in front of the registry (append the registry's own path). */
  origin: string;
  /** Requests answered 401 for lacking the credentials, and requests forwarded. */
  refused: () => number;
  forwarded: () => number;
  close(): Promise<void>;
}

/**
 * The real registry behind https (a certificate signed by the test's CA) and basic auth, as a
 * managed registry is: requests without `username:password` get 401, the others are forwarded
 * as they are to `target` (an http origin).
 */
export async function tlsRegistryProxy(
  target: string,
  tls: { keyFile: string; certFile: string },
  login: { username: string; password: string },
): Promise<TlsRegistryProxy> {
  const expected = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  const upstream = new URL(target);
  let refused = 0;
  let forwarded = 0;
  const server = https.createServer(
    { key: fs.readFileSync(tls.keyFile), cert: fs.readFileSync(tls.certFile) },
    (req, res) => {
      if (req.headers.authorization !== expected) {
        refused++;
        req.resume();
        res.writeHead(401, {
          'www-authenticate': 'Basic realm="registry"',
          'content-type': 'application/json',
        });
        res.end('{"error_code":401,"message":"Unauthorized"}');
        return;
      }
      forwarded++;
      const headers = { ...req.headers, host: upstream.host };
      delete headers.authorization;
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => refused,
    forwarded: () => forwarded,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
