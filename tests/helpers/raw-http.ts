import net from 'node:net';

export interface RawAnswer {
  /** HTTP status, or 0 when the server closed the connection without answering. */
  status: number;
  head: string;
  body: string;
}

/** The body of a chunked answer (as far as it arrived). */
function dechunk(raw: string): string {
  let out = '';
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return out;
    const size = parseInt(raw.slice(at, eol), 16);
    if (!(size > 0)) return out;
    out += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/**
 * Sends `request` as raw bytes (so paths, headers and bodies can be anything, even what an HTTP
 * client would refuse to send) from `localAddress`, and reads the answer until the server closes
 * or `timeoutMs` passes (then the socket is dropped and what arrived so far is returned).
 */
export function rawHttp(
  port: number,
  request: Buffer | string,
  localAddress = '127.0.0.1',
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      const raw = split < 0 ? '' : text.slice(split + 4);
      const body = /\r\ntransfer-encoding: chunked/i.test(head) ? dechunk(raw) : raw;
      resolve({
        status: match ? Number(match[1]) : 0,
        head,
        body: Buffer.from(body, 'latin1').toString('utf8'),
      });
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // An upgrade that was accepted (101) stays open: what we wanted to know has arrived.
      if (Buffer.concat(chunks).toString('latin1').startsWith('HTTP/1.1 101')) done();
    });
    socket.on('end', done);
    socket.on('close', done);
    socket.on('error', done);
    socket.write(request);
  });
}

/** A GET (or other method) with the given headers, `Connection: close`, as raw bytes. */
export function rawRequest(
  method: string,
  target: Buffer | string,
  headers: Record<string, string | Buffer> = {},
  body: Buffer | string = '',
): Buffer {
  const parts: Buffer[] = [
    Buffer.from(`${method} `),
    Buffer.isBuffer(target) ? target : Buffer.from(target, 'latin1'),
    Buffer.from(' HTTP/1.1\r\n'),
  ];
  const all = {
    host: 'gateway',
    connection: 'close',
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  };
  for (const [k, v] of Object.entries(all))
    parts.push(Buffer.from(`${k}: `), Buffer.isBuffer(v) ? v : Buffer.from(v, 'latin1'), Buffer.from('\r\n'));
  parts.push(Buffer.from('\r\n'), Buffer.isBuffer(body) ? body : Buffer.from(body));
  return Buffer.concat(parts);
}
