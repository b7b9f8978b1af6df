import type net from 'node:net';
import WebSocket from 'ws';
import { stalledClient } from './stalled-client';

/** Latency histogram: one bucket per millisecond up to 10 s, the last one for anything slower. */
const MAX_MS = 10_000;

/**
 * `count` WebSocket clients of the gateway at `port`. On `measure` they start counting messages
 * and the delay from each message's sample time to its receipt here; on `report` they send the
 * counts and histogram. `stall` opens one more connection that never reads.
 */
async function main() {
  const port = Number(process.argv[2]);
  const count = Number(process.argv[3]);
  const token = process.argv[4]!;
  const histogram = new Uint32Array(MAX_MS + 1);
  let measuring = false;
  let received = 0;
  let samples = 0;
  let closed = 0;
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { authorization: `Bearer ${token}` } });
    ws.on('message', (data) => {
      if (!measuring) return;
      const now = Date.now();
      const msg = JSON.parse(data.toString()) as { type: string; samples?: { ts: number }[] };
      if (msg.type !== 'samples' || !msg.samples?.length) return;
      received++;
      samples += msg.samples.length;
      histogram[Math.min(MAX_MS, Math.max(0, now - msg.samples[0]!.ts))]!++;
    });
    ws.on('close', () => closed++);
    ws.on('error', () => undefined);
    sockets.push(ws);
    await new Promise((resolve) => ws.once('open', resolve).once('error', resolve));
  }
  let stalled: net.Socket | undefined;
  process.send!({ connected: sockets.filter((s) => s.readyState === WebSocket.OPEN).length });
  process.on('message', (m: { measure?: boolean; report?: boolean; stall?: boolean; stop?: boolean }) => {
    if (m.measure) {
      measuring = true;
      received = samples = 0;
      histogram.fill(0);
    } else if (m.report) {
      measuring = false;
      process.send!({ received, samples, closed, histogram: Array.from(histogram) });
    } else if (m.stall) {
      // Subscribed to the aggregates stream, which only it receives.
      void stalledClient(port, token, { streams: ['aggregates'] }).then((s) => (stalled = s));
    } else if (m.stop) {
      for (const s of sockets) s.terminate();
      stalled?.destroy();
      process.exit(0);
    }
  });
}

void main();
