import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { cpuSeconds, rssMb } from './process-usage';

export interface GatewayBenchOptions {
  clients: number;
  /** Messages per second every client receives (one message = `batch` samples). */
  rate: number;
  batch: number;
  seconds: number;
  /** Processes the clients are spread over (they share the machine with the gateway). */
  workers: number;
}

const TOKEN = 'bench-gateway-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function next<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`${child.spawnfile} exited with ${code}`)));
  });
}

function percentile(histogram: number[], q: number): number {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let ms = 0; ms < histogram.length; ms++) {
    seen += histogram[ms]!;
    if (seen >= total * q) return ms;
  }
  return histogram.length - 1;
}

/**
 * `npm run bench -- gateway`: the gateway alone in a process, its hub fed `rate` messages a second
 * (each stamped with its sample time), `clients` WebSocket clients in `workers` other processes.
 * Reports deliveries per second, the delay from sample time to receipt (p50/p99/max), the
 * gateway's CPU and RSS; then one client that never reads joins and the gateway's RSS is watched.
 */
export async function gatewayBench(o: GatewayBenchOptions): Promise<Record<string, unknown>> {
  const server = fork(path.join(__dirname, 'gateway', 'server.js'), [String(o.rate), String(o.batch)]);
  const workers: ChildProcess[] = [];
  try {
    const { port } = await next<{ port: number }>(server);
    const per = Math.ceil(o.clients / o.workers);
    for (let w = 0; w < o.workers; w++) {
      const n = Math.min(per, o.clients - w * per);
      if (n > 0)
        workers.push(fork(path.join(__dirname, 'gateway', 'clients.js'), [String(port), String(n), TOKEN]));
    }
    const connected = (await Promise.all(workers.map((w) => next<{ connected: number }>(w)))).reduce(
      (n, r) => n + r.connected,
      0,
    );
    await sleep(3000); // warm-up
    const cpu0 = cpuSeconds(server.pid!);
    const t0 = Date.now();
    for (const w of workers) w.send({ measure: true });
    let rssPeak = 0;
    for (let s = 0; s < o.seconds; s++) {
      await sleep(1000);
      rssPeak = Math.max(rssPeak, rssMb(server.pid!));
    }
    const reports = await Promise.all(
      workers.map((w) => {
        const r = next<{ received: number; samples: number; closed: number; histogram: number[] }>(w);
        w.send({ report: true });
        return r;
      }),
    );
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = ((cpuSeconds(server.pid!) - cpu0) / elapsed) * 100;
    const histogram = reports[0]!.histogram.map((_, ms) => reports.reduce((n, r) => n + r.histogram[ms]!, 0));
    const received = reports.reduce((n, r) => n + r.received, 0);

    // One client that never reads, subscribed to a stream of about 3 MB/s that only it gets.
    const rssBefore = rssMb(server.pid!);
    workers[0]!.send({ stall: true });
    await sleep(500);
    server.send({ flood: true });
    let stalledPeak = rssBefore;
    for (let i = 0; i < 60; i++) {
      await sleep(250);
      stalledPeak = Math.max(stalledPeak, rssMb(server.pid!));
    }
    const dropped = next<{ dropped: Record<string, number> }>(server);
    server.send({ dropped: true });
    const { dropped: gatewayDropped } = await dropped;
    return {
      scenario: 'gateway',
      clients: o.clients,
      connected,
      messages_per_client_per_sec: o.rate,
      samples_per_message: o.batch,
      seconds: Math.round(elapsed * 10) / 10,
      deliveries_per_sec: Math.round(received / elapsed),
      expected_deliveries_per_sec: o.clients * o.rate,
      latency_ms: {
        p50: percentile(histogram, 0.5),
        p99: percentile(histogram, 0.99),
        max: percentile(histogram, 1),
      },
      clients_disconnected: reports.reduce((n, r) => n + r.closed, 0),
      gateway_cpu_percent: Math.round(cpu),
      gateway_rss_mb: rssPeak,
      stalled_client: {
        rss_before_mb: rssBefore,
        rss_peak_mb: stalledPeak,
        added_mb: Math.round((stalledPeak - rssBefore) * 10) / 10,
        seconds: 15,
        stream_mb_per_sec: 3,
      },
      gateway_dropped: gatewayDropped,
    };
  } finally {
    for (const w of workers) w.send({ stop: true });
    server.send({ stop: true });
    await Promise.all(
      [server, ...workers].map((c) => new Promise((r) => (c.exitCode !== null ? r(0) : c.once('exit', r)))),
    );
  }
}
