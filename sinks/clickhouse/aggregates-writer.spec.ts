import type { ClickHouseClient } from '@clickhouse/client';
import type { MetricAggregate } from '../../schemas';
import { clickhouseAggregatesSink } from './aggregates-writer';
import { digestOf } from './idempotent-insert';
import { rowRunJson } from './row-run';

const aggregate = (over: Partial<MetricAggregate> = {}): MetricAggregate => ({
  host: 'web-1',
  metric: 'system.cpu.utilization',
  unit: '1',
  attributes: { 'cpu.mode': 'user' },
  window_start: 1_700_000_040_000,
  window_ms: 60_000,
  count: 6,
  sum: 1.5,
  min: 0.1,
  max: 0.5,
  mean: 0.25,
  last: 0.2,
  p50: 0.22,
  p95: 0.45,
  p99: 0.49,
  ...over,
});

/** The one insert a write makes, its values as the client sends them (`rowRunJson`). */
async function inserted(batch: MetricAggregate[]) {
  const calls: Array<Record<string, unknown>> = [];
  const client = { insert: async (params: Record<string, unknown>) => void calls.push(params) };
  await clickhouseAggregatesSink(client as unknown as ClickHouseClient, 'tw').write(batch);
  expect(calls).toHaveLength(1);
  const call = calls[0]!;
  const text = (call.values as unknown[]).map((v) => rowRunJson.stringify(v)).join(',');
  const rows = JSON.parse(`[${text}]`) as unknown[][];
  const columns = call.columns as string[];
  return {
    call,
    objects: rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))),
  };
}

describe('clickhouseAggregatesSink', () => {
  it('writes each window as one compact row of the table’s columns, its size as a label', async () => {
    const batch = [aggregate(), aggregate({ window_ms: 10_000, host: 'db-2', attributes: {}, count: 1 })];
    const { call, objects } = await inserted(batch);
    expect(call).toMatchObject({ table: 'tw.aggregates', format: 'JSONCompactEachRow' });
    expect(objects).toEqual(
      batch.map(({ window_ms, ...rest }) => ({ window: window_ms === 60_000 ? '1m' : '10s', ...rest })),
    );
  });

  it('dedupes on each window’s identity and count: a corrected window is a new insert', async () => {
    const identity = (a: MetricAggregate) =>
      `${a.window_ms === 60_000 ? '1m' : '10s'}|${a.host}|${a.metric}|${JSON.stringify(a.attributes)}|${a.window_start}|${a.count}`;
    const batch = [aggregate(), aggregate({ window_start: 1_700_000_100_000 })];
    const first = await inserted(batch);
    const settings = first.call.clickhouse_settings as Record<string, string>;
    expect(settings.insert_deduplication_token).toBe(digestOf([digestOf(batch, identity)], (d) => d));
    const again = await inserted(batch.map((a) => ({ ...a })));
    expect(again.call.clickhouse_settings).toEqual(first.call.clickhouse_settings);
    const corrected = await inserted([batch[0]!, aggregate({ window_start: 1_700_000_100_000, count: 7 })]);
    expect(corrected.call.clickhouse_settings).not.toEqual(first.call.clickhouse_settings);
  });
});
