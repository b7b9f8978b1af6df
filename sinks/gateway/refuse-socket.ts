import http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Answers on a raw socket (a refused WebSocket upgrade, or a request Node could not parse) with
 * a JSON error `{error: {code, message}}` and closes it. Never throws: a socket the peer has
 * already reset is just destroyed.
 */
export function refuseSocket(
  socket: Duplex,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  try {
    if (!socket.writable) return void socket.destroy();
    const body = JSON.stringify({ error: { code, message } });
    const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
    socket.end(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nCache-Control: no-store\r\n${extra.join('')}` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  } catch {
    socket.destroy();
  }
}
