import WebSocket from 'ws';

export interface CollectingClient {
  ws: WebSocket;
  messages: { type: string; [key: string]: unknown }[];
  close(): void;
}

/** A WebSocket client that records every JSON message it receives. */
export async function collectingClient(url: string, token: string): Promise<CollectingClient> {
  const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
  const messages: CollectingClient['messages'] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, messages, close: () => ws.close() };
}

/** Resolves with the HTTP status of a refused upgrade, or 101 if it was accepted. */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}
