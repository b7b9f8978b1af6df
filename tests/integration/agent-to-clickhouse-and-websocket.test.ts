import fs from 'node:fs';
import { startInstance, type Instance } from '../../cli/instance';
import { createLogger } from '../../core/logger';
import type { MetricSample } from '../../schemas';
import { keepMantissaBits } from '../../sinks/clickhouse';
import { testConfig, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';
import { collectingClient, upgradeStatus, type CollectingClient } from '../helpers/ws-client';

type ErrorBody = { error: { code: string; message: string } };

describe('agent → Kafka → processor → ClickHouse and WebSocket', () => {
  const host = uniqueName('it-host');
  const config = testConfig('skeleton', { TIDEWATCH_AGENT_HOST: host, TIDEWATCH_AGENT_INTERVAL_MS: '1000' });
  let instance: Instance;
  let client: CollectingClient;

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('warn', process.stderr));
  });

  afterAll(async () => {
    client?.close();
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  it('delivers the agent’s samples, decoded, to ClickHouse and to a WebSocket client', async () => {
    client = await collectingClient(`${instance.url.replace('http', 'ws')}/ws`, instance.token);
    const live = await waitFor('a live CPU sample over the WebSocket', () =>
      client.messages
        .filter((m) => m.type === 'samples')
        .flatMap((m) => m.samples as MetricSample[])
        .find(
          (s) =>
            s.host === host &&
            s.metric === 'system.cpu.utilization' &&
            Object.keys(s.attributes).length === 0,
        ),
    );
    expect(live.event_id).toMatch(new RegExp(`^${host}:\\d+:\\d+$`));
    expect(live.value).toBeGreaterThanOrEqual(0);
    expect(live.value).toBeLessThanOrEqual(1);
    expect(live.unit).toBe('1');

    const rows = await waitFor('the same sample in tidewatch.metrics', async () => {
      const rs = await instance.clickhouse.query({
        query: `SELECT event_id, host, toUnixTimestamp64Milli(ts) AS ts, metric, value, unit, attributes, labels
                FROM ${config.clickhouse.database}.metrics WHERE event_id = {id:String}`,
        query_params: { id: live.event_id },
        format: 'JSONEachRow',
      });
      const found = await rs.json<MetricSample>();
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toHaveLength(1);
    // Stored with clickhouse.valuePrecisionBits (30) of the value's mantissa; the live stream is exact.
    expect({ ...rows[0], ts: Number(rows[0]!.ts) }).toEqual({
      ...live,
      value: keepMantissaBits(live.value, config.clickhouse.valuePrecisionBits),
    });

    const memory = await instance.clickhouse.query({
      query: `SELECT count() AS n FROM ${config.clickhouse.database}.metrics WHERE host = {host:String} AND metric = 'system.memory.utilization'`,
      query_params: { host },
      format: 'JSONEachRow',
    });
    expect(Number((await memory.json<{ n: string }>())[0]!.n)).toBeGreaterThan(0);
  });

  it('stores the agent’s process records and inventory: processes table and hosts view', async () => {
    const db = config.clickhouse.database;
    const query = async <T>(sql: string) =>
      (
        await (
          await instance.clickhouse.query({ query: sql, query_params: { host }, format: 'JSONEachRow' })
        ).json<T>()
      )[0];
    const top = await waitFor('a process snapshot of this host in tidewatch.processes', () =>
      query<{ n: string; pids: string; names: string }>(
        `SELECT count() AS n, uniqExact(pid) AS pids, countIf(name != '') AS names
         FROM ${db}.processes WHERE host = {host:String} AND kind = 'snapshot' HAVING n > 0`,
      ),
    );
    expect(Number(top.pids)).toBeGreaterThan(0);
    expect(Number(top.names)).toBe(Number(top.n));
    // On a loaded host the first inventory read may outlast its collector's timeout: it lands a round later.
    const inventory = await waitFor('this host with its inventory in tidewatch.hosts', () =>
      query<{ cpu_cores: number; memory_total: string; last_seen: string }>(
        `SELECT cpu_cores, memory_total, last_seen FROM ${db}.hosts WHERE host = {host:String} AND cpu_cores > 0`,
      ),
    );
    expect(Number(inventory.cpu_cores)).toBeGreaterThan(0);
    expect(Number(inventory.memory_total)).toBeGreaterThan(0);
  });

  it('refuses a WebSocket without the token, with a wrong one, or from a foreign origin', async () => {
    const url = `${instance.url.replace('http', 'ws')}/ws`;
    expect(await upgradeStatus(url, {})).toBe(401);
    expect(await upgradeStatus(url, { authorization: `Bearer ${instance.token}x` })).toBe(401);
    expect(
      await upgradeStatus(url, { authorization: `Bearer ${instance.token}`, origin: 'http://evil.example' }),
    ).toBe(403);
    expect(
      await upgradeStatus(url, { authorization: `Bearer ${instance.token}`, origin: instance.url }),
    ).toBe(101);
  });

  it('answers HTTP without the token with 401 and a reason, and serves the API with it', async () => {
    const denied = await fetch(`${instance.url}/api/sql`, { method: 'POST', body: '{}' });
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as ErrorBody).error.code).toBe('TW_ERR_AUTH');
    const bad = await fetch(`${instance.url}/api/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${instance.token}` },
      body: '{"query": 1}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorBody).error.message).toMatch(/query/);
    const ok = await fetch(`${instance.url}/api/sql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${instance.token}` },
      body: JSON.stringify({
        query: `SELECT count() AS n FROM ${config.clickhouse.database}.metrics WHERE host = {host:String}`,
        params: { host },
      }),
    });
    expect(ok.status).toBe(200);
    expect(Number(((await ok.json()) as { rows: { n: string }[] }).rows[0]!.n)).toBeGreaterThan(0);
  });
});
