import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncScheduler } from 'rxjs';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import { durableSinks } from '../../processors/delivery';
import { clickhouseMetricsSink, clientOver, type ClickHouseClient } from '../../sinks/clickhouse';
import { startGateway, type Gateway } from '../../sinks/gateway';
import { openEmbedded } from '../helpers/embedded-engine';

const TOKEN = 'gateway-readiness-test-token-0123';

type Ready = { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };

/**
 * /ready on a real gateway over the real embedded engine, fed by the pipeline's own metrics: it
 * must say "not ready" while the pipeline is stalled (work pending, no sink progress) and while a
 * sink's circuit breaker (the real durable-sink breaker, over a real failing ClickHouse write)
 * is open, and say why only to a caller with the token.
 */
describe('gateway /ready reports a stalled pipeline', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-sec-ready-'));
  const metrics = createMetrics();
  let now = 1_800_000_000_000;
  let client: ClickHouseClient;
  let gateway: Gateway;

  beforeAll(async () => {
    client = clientOver(await openEmbedded(dataDir));
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      token: TOKEN,
      allowedOrigins: [],
      maxClients: 4,
      sendQueueBytes: 1 << 20,
      staticRoot: dataDir,
      clickhouse: client,
      database: 'tw_sec_ready',
      metrics,
      logger: silentLogger,
      readyStallSeconds: 30,
      clock: () => now,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await client?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const ready = async (token?: string) => {
    const res = await fetch(`${gateway.url}/ready`, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
    return { status: res.status, body: (await res.json()) as Ready };
  };

  it('is ready while idle, not ready when work is pending without progress, ready again on progress', async () => {
    expect(await ready(TOKEN)).toMatchObject({ status: 200, body: { ready: true } });
    // What the processor's gauge sampler records while events wait for the sinks.
    metrics.sourceInFlight.set({ group: 'tw-sec-ready' }, 250);
    expect((await ready(TOKEN)).status).toBe(200);
    now += 30_000;
    const stalled = await ready(TOKEN);
    expect(stalled.status).toBe(503);
    expect(stalled.body.checks.pipeline).toEqual({
      ok: false,
      error: 'stalled: 250 events pending and no sink progress for 30 s',
    });
    expect(stalled.body.checks.clickhouse).toEqual({ ok: true });
    const anonymous = await ready();
    expect(anonymous).toEqual({ status: 503, body: expect.objectContaining({ ready: false }) });
    expect(anonymous.body.checks.pipeline).toEqual({ ok: false });
    metrics.eventsWritten.inc({ sink: 'clickhouse' }, 100);
    expect((await ready(TOKEN)).status).toBe(200);
    metrics.sourceInFlight.set({ group: 'tw-sec-ready' }, 0);
  });

  it('is not ready while a sink breaker is open', async () => {
    const durable = durableSinks({
      metrics,
      log: silentLogger,
      retry: { initialMs: 1, maxMs: 1, attempts: 1 },
      breaker: { failures: 1, openMs: 600_000 },
      scheduler: asyncScheduler,
    });
    // A real ClickHouse write that fails: the database does not exist.
    const sink = durable(clickhouseMetricsSink(client, 'tw_sec_ready_missing'));
    const sample = {
      event_id: 'h:1:1',
      host: 'h',
      ts: now,
      metric: 'm',
      value: 1,
      unit: '1',
      attributes: {},
    };
    await expect(sink.write([sample])).rejects.toThrow();
    const open = await ready(TOKEN);
    expect(open.status).toBe(503);
    expect(open.body.checks.pipeline).toEqual({
      ok: false,
      error: `circuit breaker open for sink ${sink.name}`,
    });
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });
});
