import type { ClickHouseClient } from '@clickhouse/client';
import { systemClock } from '../../core/clock';
import { reassignments, type Assignment, type EncodingSink, type Sink } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { avroBodies, insertAvroFile, prepareAvroDir, type AvroChunk } from './avro-insert';
import {
  digestOf,
  encodeChunk,
  insertChunks,
  insertEncoded,
  type CompactRows,
  type EncodedChunk,
} from './idempotent-insert';
import { joinSpans, ReplayGuard, spanOf, type SampleSpan } from './replay-guard';
import { storedSamples } from './stored-samples';
import { keepMantissaBits } from './value-precision';

const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const MAP_OF_STRINGS = '{"type":"map","values":"string"}';

const compact = (valueBits: number): CompactRows<MetricSample> => ({
  columns: ['event_id', 'host', 'ts', 'metric', 'value', 'unit', 'attributes', 'labels'],
  row: (s) => [
    s.event_id,
    s.host,
    s.ts,
    s.metric,
    keepMantissaBits(s.value, valueBits),
    s.unit,
    s.attributes,
    s.labels ?? NO_LABELS,
  ],
  // Collapsing equal keys inside one insert is work with nothing to find: the key ends in the
  // event id and dedupe has already dropped repeated ids; repeats across inserts collapse in
  // merges as before. Without it an insert costs about a third less engine CPU.
  settings: { optimize_on_insert: 0 },
});

/**
 * Avro inserts read, sort and compress on one engine thread. They only run on the embedded
 * engine, which shares its cores with the processor: a second insert thread there took turns
 * with the processor's own threads rather than adding a core (1M-event bench, 5 alternating
 * pairs: engine 1.5 -> 1.4 us and machine 7.2 -> 6.9 us per event on average, events/s higher
 * in 4 of 5, +3.6 % mean).
 */
const ONE_ENGINE_THREAD = { max_threads: 1, max_insert_threads: 1 };

/**
 * Raw samples encoded for their insert: JSON rows, or their Avro bodies from Kafka; with where
 * they lie in event time, for a replay-aware insert.
 */
export type RawChunk = (EncodedChunk | AvroChunk) & { readonly span: SampleSpan };
const isAvro = (c: RawChunk): c is AvroChunk & { readonly span: SampleSpan } => 'schemaId' in c;

/** Raw inserts as Avro read by the engine from files: the embedded engine only. */
export interface AvroRawInserts {
  /** A folder of this process's own, which the engine reads each insert's file from. */
  dir: string;
  /** The writer schema of a schema id (JSON text), from the serde's cache. */
  writerSchema(id: number): string | undefined;
}

const MAX_SCHEMAS = 1024;
/** Hosts the replay guard remembers at most (`ReplayGuard`). */
const MAX_GUARDED_HOSTS = 100_000;
const STRING = '"string"';

/** A writer schema whose records can be read as samples, and whether they carry host labels. */
interface SampleSchema {
  text: string;
  labels: boolean;
}

/**
 * The writer schema of `id` if its records can be read as samples (the seven fields with their
 * types; `labels` too when it is a map of strings; other fields are ignored), else undefined.
 */
function sampleSchema(schema: string | undefined): SampleSchema | undefined {
  if (!schema) return undefined;
  const parsed = JSON.parse(schema) as { fields?: { name: string; type: unknown }[] };
  const types = new Map((parsed.fields ?? []).map((f) => [f.name, JSON.stringify(f.type)]));
  const expected: Record<string, string> = {
    event_id: STRING,
    host: STRING,
    ts: '"long"',
    metric: STRING,
    value: '"double"',
    unit: STRING,
    attributes: MAP_OF_STRINGS,
  };
  return Object.entries(expected).every(([name, type]) => types.get(name) === type)
    ? { text: schema, labels: types.get('labels') === MAP_OF_STRINGS }
    : undefined;
}

/** `value` with `bits` of its mantissa kept, in SQL: as `keepMantissaBits` does, bit for bit. */
function valueExpression(bits: number): string {
  if (bits >= 52) return 'value';
  const mask = (1n << 64n) - (1n << BigInt(52 - bits));
  return `reinterpretAsFloat64(bitAnd(reinterpretAsUInt64(value), toUInt64(${mask})))`;
}

/** Consecutive chunks of one kind (JSON, or Avro of one schema), in order. */
function runsOf(chunks: readonly RawChunk[]): RawChunk[][] {
  const runs: RawChunk[][] = [];
  for (const c of chunks) {
    const run = runs[runs.length - 1];
    const last = run?.[run.length - 1];
    const same = last && (isAvro(last) ? isAvro(c) && c.schemaId === last.schemaId : !isAvro(c));
    if (same) run.push(c);
    else runs.push([c]);
  }
  return runs;
}

/**
 * Writes raw samples to `<db>.metrics`, encoding each batch as soon as it is ready (so samples
 * waiting for the insert are one string or buffer per batch, not objects) and inserting several
 * batches' chunks at once. With `avro` (the embedded engine), a batch whose Kafka values are all
 * Avro of one readable schema is kept as those values' bodies and inserted as an Avro container
 * the engine reads from a file: nothing is encoded again, and the engine reads Avro for less than
 * JSON. Other batches (and every batch without `avro`, as for a server) go as JSONCompactEachRow.
 * The insert's deduplication token comes from the chunks' event ids, so a retried or re-delivered
 * insert is dropped by ClickHouse itself. Rows re-read in a differently cut insert (after a crash
 * or a rebalance) are not stored again either: an insert that may hold stored samples
 * (`ReplayGuard`) leaves out the ids already stored where its samples lie (`storedSamples`), in
 * the Avro insert's own `SELECT`, or from the JSON rows before they go. Values are stored with
 * `valueBits` of their 52 mantissa bits (`clickhouse.valuePrecisionBits`; 52: exactly), in either
 * form.
 */
export function clickhouseMetricsStore(
  client: ClickHouseClient,
  db: string,
  options: {
    valueBits?: number;
    avro?: AvroRawInserts;
    /** The partitions this member owns: the replay guard forgets what it learned when they change. */
    assignment?: Assignment;
    /** Called for each insert that leaves out stored ids (a replay). */
    onReplayInsert?: () => void;
    /** Called when the replay guard's memory of hosts was full and started over. */
    onReplayGuardReset?: () => void;
  } = {},
): EncodingSink<MetricSample, RawChunk> {
  const valueBits = options.valueBits ?? 52;
  const rows = compact(valueBits);
  const table = `${db}.metrics`;
  const avro = options.avro;
  if (avro) prepareAvroDir(avro.dir, systemClock());
  const stored = storedSamples(client, table);
  /** Inserts under way (deliveries overlap), for the replay guard's look-ups to wait for. */
  const underway = new Set<Promise<unknown>>();
  const tracked = <T>(insert: Promise<T>): Promise<T> => {
    underway.add(insert);
    const done = () => underway.delete(insert);
    insert.then(done, done);
    return insert;
  };
  const guard = new ReplayGuard(stored.newest, {
    maxHosts: MAX_GUARDED_HOSTS,
    reassigned: options.assignment ? reassignments(options.assignment) : undefined,
    onReset: options.onReplayGuardReset,
    settled: () => Promise.allSettled([...underway]),
  });
  const schemas = new Map<number, SampleSchema | undefined>();
  const readable = (id: number) => {
    if (!schemas.has(id)) {
      if (schemas.size >= MAX_SCHEMAS) schemas.clear();
      schemas.set(id, sampleSchema(avro?.writerSchema(id)));
    }
    return schemas.get(id);
  };
  const columns = [
    ['event_id', 'event_id'],
    ['host', 'host'],
    ['ts', "fromUnixTimestamp64Milli(ts, 'UTC')"],
    ['metric', 'metric'],
    ['value', valueExpression(valueBits)],
    ['unit', 'unit'],
    ['attributes', 'attributes'],
  ] as const;
  // Records of an older writer schema have no labels: the column's default (an empty map) fills them.
  const withLabels = [...columns, ['labels', 'labels']] as const;

  const insertAvro = (chunks: readonly AvroChunk[], skip?: SampleSpan) =>
    insertChunks(table, chunks, (filled, token, count) => {
      const schema = readable(filled[0]!.schemaId)!;
      return insertAvroFile(client, {
        ...(skip ? stored.notStored(skip) : {}),
        table,
        columns: schema.labels ? withLabels : columns,
        schema: schema.text,
        chunks: filled,
        dir: avro!.dir,
        settings: {
          ...rows.settings,
          ...ONE_ENGINE_THREAD,
          insert_deduplication_token: token,
          log_comment: `${count} rows`, // in system.query_log, and for a throttle to count by
        },
      });
    });

  return {
    encode: (batch, frames) => {
      if (avro && frames && frames.length === batch.length) {
        const bodies = avroBodies(frames);
        if (bodies && readable(bodies.schemaId)) {
          const digest = digestOf(batch, (s) => s.event_id);
          return { ...bodies, digest, count: batch.length, bytes: bodies.body.length, span: spanOf(batch) };
        }
      }
      return { ...encodeChunk(batch, (s) => s.event_id, rows), span: spanOf(batch) };
    },
    sink: {
      name: 'clickhouse',
      write: async (chunks) => {
        for (const run of runsOf(chunks)) {
          // A run that may hold samples stored before (a replay) skips the stored ones.
          const span = joinSpans(run.map((c) => c.span));
          const skip = (await guard.mayHoldStored(span.oldest)) ? span : undefined;
          if (skip) options.onReplayInsert?.();
          if (isAvro(run[0]!)) await tracked(insertAvro(run as AvroChunk[], skip));
          else {
            const encoded = run as EncodedChunk[];
            const rest = skip ? await stored.withoutStored(encoded, skip) : encoded;
            await tracked(insertEncoded(client, table, rest, rows));
          }
        }
      },
      close: async () => undefined,
    },
  };
}

/** The same store as a plain sink of samples: each batch encoded and inserted on its own. */
export function clickhouseMetricsSink(
  client: ClickHouseClient,
  db: string,
  options: { valueBits?: number } = {},
): Sink<MetricSample> {
  const store = clickhouseMetricsStore(client, db, options);
  return { ...store.sink, write: (batch) => store.sink.write([store.encode(batch)]) };
}
