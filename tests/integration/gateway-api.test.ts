import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';
import { hostProbe } from '../../cli/host-probe';
import { systemClock } from '../../core/clock';
import { loadConfig } from '../../core/config';
import { createMetrics } from '../../core/metrics';
import { silentLogger } from '../../core/logger';
import type { MetricSample, ProcessEvent } from '../../schemas';
import {
  clickhouseAggregatesSink,
  clientOver,
  clickhouseMetricsSink,
  clickhouseProcessesSink,
  migrate,
  type ClickHouseClient,
} from '../../sinks/clickhouse';
import { startGateway, type Gateway } from '../../sinks/gateway';
import { recentSamples } from '../../sinks/gateway/recent-samples';
import { waitFor } from '../helpers/wait-for';
import { upgradeStatus } from '../helpers/ws-client';
import { openEmbedded } from '../helpers/embedded-engine';

const TOKEN = 'gateway-api-test-token-0123456789';

/** GET from a chosen loopback address (127.x are all this host), so tests can be "two clients". */
function get(url: string, localAddress = '127.0.0.1', token = TOKEN, method = 'GET') {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }>(
    (resolve, reject) => {
      const req = http.request(
        url,
        { method, localAddress, headers: token ? { authorization: `Bearer ${token}` } : {} },
        (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }),
          );
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

describe('gateway HTTP API on the real engine: hosts, processes, readiness, limits', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-gw-api-'));
  const db = 'tw_gateway_api';
  let client: ClickHouseClient;
  let gateway: Gateway;
  let limited: Gateway;
  const now = Date.now();

  beforeAll(async () => {
    client = clientOver(await openEmbedded(dataDir));
    await migrate(client, db);
    const samples: MetricSample[] = [];
    for (const [host, cpu] of [
      ['web-1', 0.7],
      ['db-1', 0.2],
    ] as const) {
      const at = (i: number, metric: string, value: number, attributes: Record<string, string> = {}) =>
        samples.push({
          event_id: `${host}:1:${metric}:${i}`,
          host,
          ts: now - 60_000 + i * 5000,
          metric,
          value,
          unit: '1',
          attributes,
        });
      at(0, 'tidewatch.host.info', 1, { 'os.description': 'Debian 12', 'host.cpu.cores': '4' });
      for (let i = 0; i < 10; i++) {
        at(i, 'system.cpu.utilization', cpu + i / 1000);
        at(i, 'system.memory.utilization', 0.5, { 'system.memory.state': 'used' });
      }
      if (host === 'db-1')
        for (let i = 0; i < 10; i++) {
          at(i, 'system.cpu.load_average.1m', 2);
          at(i, 'system.cpu.load_average.15m', 1);
          for (const mountpoint of ['/', '/data'])
            at(i, 'system.filesystem.utilization', mountpoint === '/' ? 0.3 : 0.8, {
              'system.filesystem.mountpoint': mountpoint,
              'system.device': mountpoint === '/' ? 'sda1' : 'sdb1',
            });
          at(i, 'tidewatch.agent.spool.records', 40 + i);
          at(i, 'tidewatch.agent.spool.usage', 4096);
        }
    }
    await clickhouseMetricsSink(client, db).write(samples);
    const proc = (ts: number, pid: number, name: string, cpu: number): ProcessEvent => ({
      event_id: `web-1:1:p${ts}:${pid}`,
      host: 'web-1',
      ts,
      kind: 'snapshot',
      pid,
      ppid: 1,
      name,
      command: `/usr/bin/${name}`,
      user: 'root',
      cpu,
      rss: 1000 * pid,
      state: 'running',
      start_time: now - 3_600_000,
      rank_cpu: 1,
      rank_memory: 1,
    });
    await clickhouseProcessesSink(client, db).write([
      proc(now - 30_000, 10, 'old', 0.9),
      proc(now - 15_000, 20, 'nginx', 0.3),
      proc(now - 15_000, 30, 'postgres', 0.6),
    ]);
    const common = {
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      allowedOrigins: [],
      maxClients: 10,
      sendQueueBytes: 1 << 20,
      staticRoot: dataDir,
      clickhouse: client,
      database: db,
      logger: silentLogger,
    };
    gateway = await startGateway({
      ...common,
      metrics: createMetrics(),
      readiness: { kafka: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) },
      hostProbe: hostProbe(
        loadConfig({ env: { TIDEWATCH_AGENT_HOST: 'gateway-host' } }),
        systemClock,
        silentLogger,
      ),
    });
    limited = await startGateway({
      ...common,
      metrics: createMetrics(),
      rateLimitPerMinute: 3,
      rateLimitExemptLoopback: false,
      maxClientsPerIp: 1,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await limited?.close();
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists hosts with inventory, freshness and latest CPU and memory', async () => {
    const { status, body } = await get(`${gateway.url}/api/hosts`);
    expect(status).toBe(200);
    const hosts = body.hosts as Record<string, unknown>[];
    expect(hosts.map((h) => h.host)).toEqual(['db-1', 'web-1']);
    const web = hosts.find((h) => h.host === 'web-1')!;
    expect(web).toMatchObject({
      os: 'Debian 12',
      cpu_cores: 4,
      cpu_utilization: 0.709,
      memory_utilization: 0.5,
    });
    expect(web.age_ms as number).toBeGreaterThanOrEqual(0);
    expect(web.last_seen).toBe(now - 60_000 + 9 * 5000);
  });

  it('answers one host’s latest values, and 404 / 400 with a reason for unknown or malformed hosts', async () => {
    const { status, body } = await get(`${gateway.url}/api/hosts/web-1`);
    expect(status).toBe(200);
    const cpu = (body.series as Record<string, unknown>[]).find((s) => s.metric === 'system.cpu.utilization');
    expect(cpu).toMatchObject({ value: 0.709, ts: now - 60_000 + 9 * 5000 });
    const unknown = await get(`${gateway.url}/api/hosts/nope`);
    expect(unknown.status).toBe(404);
    expect((unknown.body.error as { message: string }).message).toMatch(/no samples from host "nope"/);
    const bad = await get(`${gateway.url}/api/hosts/${encodeURIComponent("x' OR 1=1")}`);
    expect(bad.status).toBe(400);
    expect((await get(`${gateway.url}/api/hosts`, '127.0.0.1', TOKEN, 'POST')).status).toBe(405);
  });

  it('answers a host’s latest process snapshot only, busiest first', async () => {
    const { status, body } = await get(`${gateway.url}/api/hosts/web-1/processes`);
    expect(status).toBe(200);
    expect((body.processes as { name: string }[]).map((p) => p.name)).toEqual(['postgres', 'nginx']);
    expect(body.ts).toBe(now - 15_000);
    expect((await get(`${gateway.url}/api/hosts/db-1/processes`)).status).toBe(404);
  });

  it('answers anomalies and pipeline stats; refuses a bad hours parameter', async () => {
    expect((await get(`${gateway.url}/api/anomalies?hours=48`)).body).toEqual({ anomalies: [] });
    expect((await get(`${gateway.url}/api/anomalies?hours=abc`)).status).toBe(400);
    const { body } = await get(`${gateway.url}/api/pipeline/stats`);
    expect(Object.keys(body.stats as object)).toEqual(
      expect.arrayContaining([
        'tidewatch_events_received_total',
        'tidewatch_gateway_clients',
        'tidewatch_consumer_lag',
        'tidewatch_source_backpressure',
      ]),
    );
    // Each agent's spool as it last reported it.
    expect(body.agents).toEqual([
      { host: 'db-1', spool_records: 49, spool_bytes: 4096, reported_at: now - 60_000 + 9 * 5000 },
    ]);
  });

  it('snapshots the newest headline samples for a new WebSocket client when there are more than it holds', async () => {
    const all = await recentSamples(client, db);
    expect(all).toHaveLength(40); // 2 hosts × 2 metrics × 10
    expect(all.map((s) => s.ts)).toEqual([...all.map((s) => s.ts)].sort((a, b) => a - b));
    const newest = await recentSamples(client, db, 15, 4);
    expect(newest.map((s) => s.ts)).toEqual(Array(4).fill(now - 60_000 + 9 * 5000));
  });

  it('answers a metric split by its labels, or every metric under a prefix, one series each', async () => {
    type Series = { metric: string; label: string; points: [number, number, number][] }[];
    const split = await get(
      `${gateway.url}/api/series?host=db-1&metric=system.filesystem.utilization&range=15m`,
    );
    const fs = split.body.series as Series;
    expect(fs.map((x) => x.label)).toEqual(['/ sda1', '/data sdb1']);
    expect(fs.map((x) => x.points[0]![1])).toEqual([0.3, 0.8]);
    const load = (await get(`${gateway.url}/api/series?host=db-1&metric=system.cpu.load_average.*&range=1h`))
      .body.series as Series;
    expect(load.map((x) => [x.metric, x.label])).toEqual([
      ['system.cpu.load_average.15m', ''],
      ['system.cpu.load_average.1m', ''],
    ]);
    expect((await get(`${gateway.url}/api/series?host=db-1&metric=system.*.*&range=1h`)).status).toBe(400);
  });

  it('answers this host’s own CPU, memory, processes and disks, read by the agent’s collectors', async () => {
    type Samples = { metric: string; value: number; attributes: Record<string, string> }[];
    const stats = await get(`${gateway.url}/api/system/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.host).toBe('gateway-host');
    const find = (samples: Samples, metric: string, attrs: Record<string, string> = {}) =>
      samples.find(
        (s) => s.metric === metric && Object.entries(attrs).every(([k, v]) => s.attributes[k] === v),
      );
    const cpu = find(stats.body.samples as Samples, 'system.cpu.utilization');
    expect(cpu?.value).toBeGreaterThanOrEqual(0); // a rate: the first reading took two
    expect(find(stats.body.samples as Samples, 'system.memory.limit')?.value).toBe(os.totalmem());
    expect((stats.body.samples as Samples).some((s) => s.metric.startsWith('system.filesystem.'))).toBe(
      false,
    );
    const procs = await get(`${gateway.url}/api/system/processes`);
    const list = procs.body.processes as { pid: number; cpu: number; kind: string }[];
    expect(list.length).toBeGreaterThan(0);
    expect(list.every((p) => p.kind === 'snapshot')).toBe(true);
    expect(list.map((p) => p.cpu)).toEqual([...list.map((p) => p.cpu)].sort((a, b) => b - a));
    const disk = await get(`${gateway.url}/api/system/disk`);
    expect(
      find(disk.body.samples as Samples, 'system.filesystem.utilization', {
        'system.filesystem.mountpoint': '/',
      }),
    ).toBeDefined();
    expect((await get(`${gateway.url}/api/system/nope`)).status).toBe(404);
    // A gateway without a probe does not serve them.
    expect((await get(`${limited.url}/api/system/stats`, '127.0.0.5')).status).toBe(404);
  });

  it('answers a series over a range from the table that fits it, downsampled', async () => {
    const minute = Math.floor((now - 120_000) / 60_000) * 60_000;
    await clickhouseAggregatesSink(client, db).write([
      {
        host: 'web-1',
        metric: 'system.cpu.utilization',
        unit: '1',
        attributes: {},
        window_start: minute,
        window_ms: 60_000,
        count: 12,
        sum: 6,
        min: 0.1,
        max: 0.9,
        mean: 0.5,
        last: 0.4,
        p50: 0.5,
        p95: 0.8,
        p99: 0.9,
      },
    ]);
    const series = async (range: string, state = '') =>
      (
        await get(
          `${gateway.url}/api/series?host=web-1&metric=system.cpu.utilization&state=${state}&range=${range}`,
        )
      ).body as { source: string; step_seconds: number; points: [number, number, number][] };
    const raw = await series('15m');
    expect(raw.source).toBe('raw');
    expect(raw.points.length).toBeGreaterThan(0);
    expect(raw.points.length).toBeLessThanOrEqual(720);
    expect(Math.max(...raw.points.map((p) => p[2]))).toBeCloseTo(0.709, 3);
    const windows = await series('6h');
    expect(windows).toMatchObject({ source: '1m', step_seconds: 60, points: [[minute, 0.5, 0.9]] });
    const hourly = await series('7d');
    expect(hourly.source).toBe('1h');
    expect(hourly.points).toEqual([[Math.floor(minute / 3_600_000) * 3_600_000, 0.5, 0.9]]);
    expect((await series('15m', 'user')).points).toEqual([]); // no CPU-by-mode samples stored here
    const bad = await get(`${gateway.url}/api/series?host=web-1&metric=system.cpu.utilization&range=2y`);
    expect(bad.status).toBe(400);
    expect((bad.body.error as { message: string }).message).toMatch(/range: one of 5m, 15m, 1h, 6h, 24h, 7d/);
  });

  it('is ready only when every dependency answers; says why only to a caller with the token', async () => {
    const withToken = await get(`${gateway.url}/ready`);
    expect(withToken.status).toBe(503);
    expect(withToken.body.checks).toEqual({
      clickhouse: { ok: true },
      pipeline: { ok: true },
      kafka: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
    const anonymous = await get(`${gateway.url}/ready`, '127.0.0.1', '');
    expect(anonymous.body.checks).toEqual({
      clickhouse: { ok: true },
      pipeline: { ok: true },
      kafka: { ok: false },
    });
    expect((await get(`${limited.url}/ready`, '127.0.0.9')).status).toBe(200);
    expect((await get(`${gateway.url}/health`, '127.0.0.1', '')).status).toBe(200);
  });

  it('rate-limits the API per address with 429 and Retry-After; another address is unaffected', async () => {
    for (let i = 0; i < 3; i++)
      expect((await get(`${limited.url}/api/anomalies`, '127.0.0.2')).status).toBe(200);
    const refused = await get(`${limited.url}/api/anomalies`, '127.0.0.2');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((refused.body.error as { code: string }).code).toBe('TW_ERR_RATE_LIMITED');
    // Without a token too: guessing tokens is limited like everything else.
    expect((await get(`${limited.url}/api/anomalies`, '127.0.0.2', 'wrong')).status).toBe(429);
    expect((await get(`${limited.url}/api/anomalies`, '127.0.0.3')).status).toBe(200);
  });

  it('caps WebSocket connections per address', async () => {
    const url = `${limited.url.replace('http', 'ws')}/ws`;
    const first = new WebSocket(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    await new Promise((resolve, reject) => first.once('open', resolve).once('error', reject));
    expect(await upgradeStatus(url, { authorization: `Bearer ${TOKEN}` })).toBe(429);
    first.close();
    await new Promise((resolve) => first.once('close', resolve));
    // Once the server has seen the close, the address has its slot back.
    await waitFor(
      'the slot freed',
      async () => (await upgradeStatus(url, { authorization: `Bearer ${TOKEN}` })) === 101,
    );
  });
});
