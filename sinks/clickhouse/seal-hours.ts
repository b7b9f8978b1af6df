import type { ClickHouseClient } from '@clickhouse/client';

const HOUR_MS = 3_600_000;

/** A host's hour with samples stored since it was last sealed: `rows` inserted so far. */
export interface HostHour {
  /** The hour's start, epoch ms. */
  hour: number;
  host: string;
  rows: number;
}

/** One sealing query: these hosts' samples of one hour. */
export interface SealChunk {
  hour: number;
  hosts: HostHour[];
  rows: number;
}

export interface SealLimits {
  /** An hour is sealed once it ended at least this long ago (late samples seal it again). */
  graceMs: number;
  /** Stored samples one sealing query reads, about: whole hosts, so a larger host goes alone. */
  rowsPerQuery: number;
  /** Host-hours one pass seals at most, oldest first; the next pass takes the rest. */
  hostHoursPerPass: number;
}

export interface SealPass {
  hostHours: number;
  queries: number;
  /** Samples inserted for the host-hours sealed (duplicates included, before they collapse). */
  rows: number;
}

/**
 * Pending host-hours (ordered by hour, then host) cut into queries of one hour each, of about
 * `rowsPerQuery` samples: a chunk closes when the next host would take it past the budget.
 */
export function planSeals(pending: readonly HostHour[], rowsPerQuery: number): SealChunk[] {
  const chunks: SealChunk[] = [];
  let open: SealChunk | undefined;
  for (const h of pending) {
    if (!open || open.hour !== h.hour || (open.rows > 0 && open.rows + h.rows > rowsPerQuery)) {
      open = { hour: h.hour, hosts: [], rows: 0 };
      chunks.push(open);
    }
    open.hosts.push(h);
    open.rows += h.rows;
  }
  return chunks;
}

/** Host-hours that ended before `due` with more samples inserted than their last sealing saw. */
async function pendingHostHours(
  client: ClickHouseClient,
  db: string,
  due: number,
  limit: number,
): Promise<HostHour[]> {
  const rs = await client.query({
    query: `SELECT toUnixTimestamp(a.hour) AS hour, a.host AS host, a.rows AS rows
      FROM (SELECT hour, host, sum(rows) AS rows FROM ${db}.metrics_1h_arrivals
            WHERE hour <= toDateTime({due:UInt32}, 'UTC') GROUP BY hour, host) AS a
      LEFT JOIN (SELECT hour, host, max(rows) AS rows FROM ${db}.metrics_1h_seals
                 WHERE hour <= toDateTime({due:UInt32}, 'UTC') GROUP BY hour, host) AS s
        ON a.hour = s.hour AND a.host = s.host
      WHERE a.rows > s.rows
      ORDER BY a.hour, a.host
      LIMIT {limit:UInt32}`,
    query_params: { due: Math.floor(due / 1000), limit },
    format: 'JSONEachRow',
    clickhouse_settings: { join_use_nulls: 0 },
  });
  const rows = await rs.json<{ hour: number; host: string; rows: string }>();
  return rows.map((r) => ({ hour: Number(r.hour) * 1000, host: r.host, rows: Number(r.rows) }));
}

/**
 * One chunk's percentiles, exact (`quantilesExactInclusive`, as the windows' own), from its hosts'
 * stored samples with duplicates removed (`FINAL`), into `metrics_1h_state`, versioned by the
 * host-hour's arrivals when it began (they only grow, so the sealing that saw the most wins under
 * `argMax`, whatever the clocks, and two sealers that saw the same agree); then what it saw, into
 * `metrics_1h_seals`. Samples inserted while it ran are counted after the count it records, so
 * they seal the hour again.
 */
async function sealChunk(client: ClickHouseClient, db: string, chunk: SealChunk) {
  await client.command({
    query: `INSERT INTO ${db}.metrics_1h_state (metric, host, series_id, hour, unit, attributes, sealed)
      SELECT metric, host, cityHash64(host, metric, toString(attributes)) AS series_id,
        toDateTime({hour:UInt32}, 'UTC') AS hour, unit, attributes,
        initializeAggregation('argMaxState', (samples, q[1], q[2], q[3]),
          transform(host, {hosts:Array(String)}, {seen:Array(UInt64)}, toUInt64(0))) AS sealed
      FROM (
        SELECT metric, host, attributes, any(unit) AS unit, count() AS samples,
          quantilesExactInclusive(0.5, 0.95, 0.99)(value) AS q
        FROM ${db}.metrics FINAL
        WHERE ts >= toDateTime64({hour:UInt32}, 3, 'UTC') AND ts < toDateTime64({end:UInt32}, 3, 'UTC')
          AND host IN {hosts:Array(String)}
        GROUP BY metric, host, attributes
      )`,
    query_params: {
      hour: chunk.hour / 1000,
      end: (chunk.hour + HOUR_MS) / 1000,
      hosts: chunk.hosts.map((h) => h.host),
      seen: chunk.hosts.map((h) => h.rows),
    },
    clickhouse_settings: { do_not_merge_across_partitions_select_final: 1 },
  });
  await client.insert({
    table: `${db}.metrics_1h_seals`,
    values: chunk.hosts.map((h) => ({ hour: h.hour / 1000, host: h.host, rows: h.rows })),
    format: 'JSONEachRow',
  });
}

/**
 * Seals the host-hours that are due at `now`: those whose hour ended `graceMs` ago or more and
 * that had samples stored since their last sealing, up to `hostHoursPerPass`, one bounded query
 * at a time (on the embedded engine a query holds every other until it ends).
 */
export async function sealHours(
  client: ClickHouseClient,
  db: string,
  limits: SealLimits,
  now: number,
): Promise<SealPass> {
  const due = now - limits.graceMs - HOUR_MS;
  const pending = await pendingHostHours(client, db, due, limits.hostHoursPerPass);
  const chunks = planSeals(pending, limits.rowsPerQuery);
  for (const chunk of chunks) await sealChunk(client, db, chunk);
  return {
    hostHours: pending.length,
    queries: chunks.length,
    rows: pending.reduce((n, h) => n + h.rows, 0),
  };
}
