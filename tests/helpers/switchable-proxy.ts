import http from 'node:http';
import type { AddressInfo } from 'node:net';

const countOf = (counts: Map<string, number>, suffix: string) =>
  [...counts].filter(([p]) => p.split('?')[0]!.endsWith(suffix)).reduce((n, [, c]) => n + c, 0);

/**
 * An HTTP proxy in front of a real server that a test can switch off: while down, every
 * request is cut without an answer, as if the server were unreachable. Counts the requests it
 * forwarded and the ones it cut, by path.
 */
export async function switchableProxy(target: string) {
  let up = true;
  const forwarded = new Map<string, number>();
  const cut = new Map<string, number>();
  const server = http.createServer(async (req, res) => {
    const path = req.url ?? '/';
    if (!up) {
      cut.set(path, (cut.get(path) ?? 0) + 1);
      req.socket.destroy();
      return;
    }
    forwarded.set(path, (forwarded.get(path) ?? 0) + 1);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const answer = await fetch(new URL(path, target), {
        method: req.method,
        headers: {
          'content-type': req.headers['content-type'] ?? 'application/json',
          accept: req.headers.accept ?? '*/*',
        },
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(answer.status, {
        'content-type': answer.headers.get('content-type') ?? 'application/json',
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    } catch {
      req.socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = new URL(target);
  return {
    url: `http://127.0.0.1:${port}${base.pathname.replace(/\/$/, '')}`,
    forwarded,
    /** Requests forwarded whose path ends with `suffix`. */
    count: (suffix: string) => countOf(forwarded, suffix),
    /** Requests cut (while down) whose path ends with `suffix`. */
    cutCount: (suffix: string) => countOf(cut, suffix),
    down() {
      up = false;
      server.closeIdleConnections();
    },
    up() {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
