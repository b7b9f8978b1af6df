import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import type { MetricAggregate, MetricSample } from '../../schemas';
import { createClickHouse, migrate } from '../../sinks/clickhouse';
import { startGateway } from '../../sinks/gateway';

/**
 * The gateway under test, alone in its process: a real gateway on the embedded engine (empty, so
 * snapshots are cheap) whose hub is fed `rate` messages a second of `batch` samples each, stamped
 * with the time they are handed to the hub. Tells its parent its port; `stop` ends it.
 */
async function main() {
  const rate = Number(process.argv[2] ?? 20);
  const batch = Number(process.argv[3] ?? 10);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-bench-gateway-'));
  const clickhouse = createClickHouse({ username: 'default', password: '', dataDir });
  await migrate(clickhouse, 'tidewatch');
  const metrics = createMetrics();
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    token: 'bench-gateway-token-0123456789',
    allowedOrigins: [],
    maxClients: 5000,
    maxClientsPerIp: 5000,
    sendQueueBytes: 4 * 2 ** 20,
    staticRoot: dataDir,
    clickhouse,
    database: 'tidewatch',
    metrics,
    logger: silentLogger,
  });
  let seq = 0;
  const timer = setInterval(() => {
    const ts = Date.now();
    const samples: MetricSample[] = Array.from({ length: batch }, (_, i) => ({
      event_id: `bench:1:${seq++}`,
      host: `host-${i}`,
      ts,
      metric: 'system.cpu.utilization',
      value: Math.random(),
      unit: '1',
      attributes: {},
    }));
    gateway.hub.samples(samples);
  }, 1000 / rate);
  // For the stalled client: 500 closed windows 20 times a second (about 3 MB/s), on the aggregates
  // stream, which only it subscribes to.
  let flood: NodeJS.Timeout | undefined;
  const windows: MetricAggregate[] = Array.from({ length: 500 }, (_, i) => ({
    host: `flood-${i}`,
    metric: 'system.cpu.utilization',
    unit: '1',
    attributes: { 'cpu.mode': 'user' },
    window_start: 0,
    window_ms: 10_000,
    count: 2,
    sum: 1,
    min: 0.4,
    max: 0.6,
    mean: 0.5,
    last: 0.6,
    p50: 0.5,
    p95: 0.6,
    p99: 0.6,
  }));
  process.send!({ port: gateway.port });
  process.on('message', async (m: { stop?: boolean; dropped?: boolean; flood?: boolean }) => {
    if (m.flood) {
      flood = setInterval(() => gateway.hub.aggregates(windows), 50);
      return;
    }
    if (m.dropped) {
      const values = (await metrics.gatewayMessagesDropped.get()).values;
      return process.send!({ dropped: Object.fromEntries(values.map((v) => [v.labels.reason, v.value])) });
    }
    if (!m.stop) return;
    clearInterval(timer);
    clearInterval(flood);
    await gateway.close();
    await clickhouse.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
}

void main();
