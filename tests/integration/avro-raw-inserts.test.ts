import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import { frame } from '../../core/serde';
import { loadSchema, type MetricSample } from '../../schemas';
import {
  clickhouseMetricsStore,
  createClickHouse,
  migrate,
  runReadOnlyQuery,
  type ClickHouseClient,
} from '../../sinks/clickhouse';

describe('raw samples as Avro files (embedded engine)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-avro-'));
  const dir = path.join(dataDir, 'inserts');
  const type = avro.Type.forSchema(loadSchema('metric-sample') as avro.Schema);
  const schema = JSON.stringify(type.schema({ exportAttrs: true }));
  const SCHEMA_ID = 7;
  const writerSchema = (id: number) => (id === SCHEMA_ID ? schema : undefined);
  let client: ClickHouseClient;

  beforeAll(async () => {
    client = createClickHouse({ username: 'default', password: '', dataDir });
    await migrate(client, 'tw_avro');
    await migrate(client, 'tw_json');
  });

  afterAll(async () => {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const since = Date.now() - 3_600_000; // within the raw table's retention
  const samples = (prefix: string, n: number): MetricSample[] =>
    Array.from({ length: n }, (_, i) => ({
      event_id: `${prefix}:${i}`,
      host: i % 2 ? 'hôte-€' : 'h1',
      ts: since + i * 997,
      metric: 'system.cpu.utilization',
      value: i % 3 === 0 ? Math.PI * i : -1e-300 * i,
      unit: '1',
      attributes: (i % 4 === 0
        ? {}
        : { 'cpu.mode': 'user', 'system.device': `sd${i % 5}`, 'clé "x"': "it's" }) as Record<string, string>,
    }));
  const frames = (batch: MetricSample[]) => batch.map((s) => frame(SCHEMA_ID, type.toBuffer(s)));
  const rows = async (db: string, prefix: string) =>
    (
      await runReadOnlyQuery(
        client,
        `SELECT event_id, host, toString(ts) AS ts, metric, reinterpretAsUInt64(value) AS bits, unit,
                toJSONString(attributes) AS attributes, device, state, attributes_hash
         FROM ${db}.metrics WHERE startsWith(event_id, {prefix:String}) ORDER BY event_id`,
        { prefix },
      )
    ).rows;

  it('stores every sample exactly as the JSON rows do, values cut to the same bits', async () => {
    const avroStore = clickhouseMetricsStore(client, 'tw_avro', {
      valueBits: 30,
      avro: { dir, writerSchema },
    });
    const jsonStore = clickhouseMetricsStore(client, 'tw_json', { valueBits: 30 });
    const batches = [samples('same-a', 300), samples('same-b', 200)];
    const chunks = batches.map((b) => avroStore.encode(b, frames(b)));
    expect(chunks.every((c) => 'schemaId' in c)).toBe(true);
    await avroStore.sink.write(chunks);
    await jsonStore.sink.write(batches.map((b) => jsonStore.encode(b)));
    const stored = await rows('tw_avro', 'same-');
    expect(stored).toHaveLength(500);
    expect(stored).toEqual(await rows('tw_json', 'same-'));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('stores the same chunks written again (a retry), or the same samples cut otherwise, once', async () => {
    const store = clickhouseMetricsStore(client, 'tw_avro', { avro: { dir, writerSchema } });
    const batch = samples('retry', 50);
    const chunks = [store.encode(batch, frames(batch))];
    // No merge may collapse the copies: the token (same chunks) and the replay guard (cut otherwise)
    // must keep them out.
    await client.command({ query: 'SYSTEM STOP MERGES tw_avro.metrics' });
    try {
      await store.sink.write(chunks);
      await store.sink.write(chunks);
      expect(await rows('tw_avro', 'retry:')).toHaveLength(50);
      await store.sink.write([store.encode(batch.slice(1), frames(batch.slice(1)))]); // cut otherwise
      expect(await rows('tw_avro', 'retry:')).toHaveLength(50);
    } finally {
      await client.command({ query: 'SYSTEM START MERGES tw_avro.metrics' });
    }
  });

  it('goes as JSON rows when a batch is not all Avro of one readable schema, and stores it all', async () => {
    const store = clickhouseMetricsStore(client, 'tw_avro', { avro: { dir, writerSchema } });
    const mixed = samples('mixed', 4);
    const mixedFrames = frames(mixed);
    mixedFrames[2] = frame(SCHEMA_ID + 1, type.toBuffer(mixed[2]!));
    const unknown = samples('unknown', 3);
    const readable = samples('readable', 3);
    const chunks = [
      store.encode(mixed, mixedFrames),
      store.encode(
        unknown,
        unknown.map((s) => frame(99, type.toBuffer(s))),
      ),
      store.encode(readable, frames(readable)),
      store.encode(samples('plain', 2)),
    ];
    expect(chunks.map((c) => 'schemaId' in c)).toEqual([false, false, true, false]);
    await store.sink.write(chunks);
    for (const [prefix, n] of [
      ['mixed:', 4],
      ['unknown:', 3],
      ['readable:', 3],
      ['plain:', 2],
    ] as const)
      expect(await rows('tw_avro', prefix)).toHaveLength(n);
  });

  it('fails a write whose file the engine cannot read, leaving no file behind', async () => {
    const store = clickhouseMetricsStore(client, 'tw_avro', { avro: { dir, writerSchema } });
    const batch = samples('broken', 5);
    const broken = frames(batch).map((f) => f.subarray(0, f.length - 3));
    await expect(store.sink.write([store.encode(batch, broken)])).rejects.toThrow(/insert of 5 rows/);
    expect(await rows('tw_avro', 'broken:')).toHaveLength(0);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
