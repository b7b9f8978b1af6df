import net from 'node:net';

/** A masked text frame, as a browser sends one (payloads under 126 bytes). */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = Buffer.from([1, 2, 3, 4]);
  return Buffer.concat([
    Buffer.from([0x81, 0x80 | payload.length]),
    mask,
    payload.map((b, i) => b ^ mask[i % 4]!),
  ]);
}

/**
 * Opens the gateway's /ws by hand, optionally sends one subscribe message, and then never reads
 * from the socket again: whatever the gateway sends it piles up (used by the gateway benchmark and
 * the integration test of a client that never reads).
 */
export async function stalledClient(port: number, token: string, subscribe?: object): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
      `Authorization: Bearer ${token}\r\n\r\n`,
  );
  await new Promise((resolve) => socket.once('data', resolve)); // 101 Switching Protocols
  if (subscribe) socket.write(textFrame(JSON.stringify({ type: 'subscribe', ...subscribe })));
  socket.pause();
  return socket;
}
