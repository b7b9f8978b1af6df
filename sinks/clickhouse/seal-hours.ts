import type { ClickHouseClient } from '@clickhouse/client';

const HOUR_MS = 3_600_000;

/** A host's hour with samples stored since it was last sealed: `rows` inserted so far. */
export interface HostHour {
  /** The hour's start, epoch ms. */
  hour: number;
  host: string;
  rows: number;
}

/** The stored samples of one metric and one host in an hour (the raw table's key begins so). */
export interface KeyCount {
  metric: string;
  host: string;
  rows: number;
}

/** A run of the raw table's key: one metric, hosts `from`…`to` (inclusive). */
export interface KeyRange {
  metric: string;
  from: string;
  to: string;
}

/**
 * Key ranges one query names at most, and host names' bytes one hour's group of hosts carries:
 * both travel as query parameters (in the URL to a server, whose limit is 1 MiB by default).
 */
export const RANGES_PER_QUERY = 200;
export const HOST_BYTES_PER_GROUP = 128 * 1024;

/** One sealing query: its key ranges and the samples stored in them. */
export interface SealQuery {
  ranges: KeyRange[];
  rows: number;
}

export interface SealLimits {
  /**
   * An hour is sealed once it ended and its host's last samples of it were stored at least this
   * long ago (late samples seal it again, once they stop).
   */
  graceMs: number;
  /** Stored samples one sealing query reads, about; one metric of one host is never cut. */
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
 * An hour's (metric, host) counts, in the raw table's key order, cut into queries of about
 * `rowsPerQuery` samples, each a list of key ranges: a query reads its ranges through the primary
 * key (metric, then host), so every stored sample of the hour is read once over all of them. A
 * filter on hosts alone would not narrow by the key (hosts sit under every metric), so each query
 * would read the whole hour.
 */
export function planRanges(counts: readonly KeyCount[], rowsPerQuery: number): SealQuery[] {
  const queries: SealQuery[] = [];
  let query: SealQuery | undefined;
  let open: KeyRange | undefined;
  for (const c of counts) {
    const full =
      query &&
      ((query.rows > 0 && query.rows + c.rows > rowsPerQuery) ||
        (open?.metric !== c.metric && query.ranges.length === RANGES_PER_QUERY));
    if (!query || full) {
      query = { ranges: [], rows: 0 };
      queries.push(query);
      open = undefined;
    }
    if (open?.metric === c.metric) open.to = c.host;
    else {
      open = { metric: c.metric, from: c.host, to: c.host };
      query.ranges.push(open);
    }
    query.rows += c.rows;
  }
  return queries;
}

/**
 * Host-hours that ended before `due`, whose last samples were stored before `quiet`, with more
 * samples inserted than their last sealing saw.
 */
async function pendingHostHours(
  client: ClickHouseClient,
  db: string,
  due: number,
  quiet: number,
  limit: number,
): Promise<HostHour[]> {
  const rs = await client.query({
    query: `SELECT toUnixTimestamp(a.hour) AS hour, a.host AS host, a.rows AS rows
      FROM (SELECT hour, host, sum(rows) AS rows, max(last) AS last FROM ${db}.metrics_1h_arrivals
            WHERE hour <= toDateTime({due:UInt32}, 'UTC') GROUP BY hour, host) AS a
      LEFT JOIN (SELECT hour, host, max(rows) AS rows FROM ${db}.metrics_1h_seals
                 WHERE hour <= toDateTime({due:UInt32}, 'UTC') GROUP BY hour, host) AS s
        ON a.hour = s.hour AND a.host = s.host
      WHERE a.rows > s.rows AND a.last <= toDateTime({quiet:UInt32}, 'UTC')
      ORDER BY a.hour, a.host
      LIMIT {limit:UInt32}`,
    query_params: { due: Math.floor(due / 1000), quiet: Math.floor(quiet / 1000), limit },
    format: 'JSONEachRow',
    clickhouse_settings: { join_use_nulls: 0 },
  });
  const rows = await rs.json<{ hour: number; host: string; rows: string }>();
  return rows.map((r) => ({ hour: Number(r.hour) * 1000, host: r.host, rows: Number(r.rows) }));
}

const hourParams = (hour: number, hosts: readonly HostHour[]) => ({
  hour: hour / 1000,
  end: (hour + HOUR_MS) / 1000,
  hosts: hosts.map((h) => h.host),
  seen: hosts.map((h) => h.rows),
});

const IN_HOUR = `ts >= toDateTime64({hour:UInt32}, 3, 'UTC') AND ts < toDateTime64({end:UInt32}, 3, 'UTC')
  AND host IN {hosts:Array(String)}`;

/** The hour's stored samples of these hosts by metric and host, in the raw table's key order. */
async function keyCounts(client: ClickHouseClient, db: string, hour: number, hosts: readonly HostHour[]) {
  const rs = await client.query({
    query: `SELECT metric, host, count() AS rows FROM ${db}.metrics WHERE ${IN_HOUR}
      GROUP BY metric, host ORDER BY metric, host`,
    query_params: hourParams(hour, hosts),
    format: 'JSONEachRow',
  });
  return (await rs.json<{ metric: string; host: string; rows: string }>()).map((r): KeyCount => ({
    metric: r.metric,
    host: r.host,
    rows: Number(r.rows),
  }));
}

/**
 * One query's percentiles, exact (`quantilesExactInclusive`, as the windows' own), from the stored
 * samples of its key ranges with duplicates removed (`FINAL`), into `metrics_1h_state`, versioned
 * by the host-hour's arrivals when the pass began (they only grow, so the sealing that saw the
 * most wins under `argMax`, whatever the clocks, and two sealers that saw the same agree).
 */
async function sealRanges(
  client: ClickHouseClient,
  db: string,
  hour: number,
  hosts: readonly HostHour[],
  ranges: readonly KeyRange[],
) {
  const params: Record<string, unknown> = hourParams(hour, hosts);
  const keys = ranges.map((r, i) => {
    params[`m${i}`] = r.metric;
    params[`a${i}`] = r.from;
    params[`b${i}`] = r.to;
    return `(metric = {m${i}:String} AND host >= {a${i}:String} AND host <= {b${i}:String})`;
  });
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
        WHERE (${keys.join(' OR ')}) AND ${IN_HOUR}
        GROUP BY metric, host, attributes
      )`,
    query_params: params,
    clickhouse_settings: { do_not_merge_across_partitions_select_final: 1 },
  });
}

/** Pending host-hours (ordered by hour) as groups of one hour's hosts, within `HOST_BYTES_PER_GROUP`. */
export function groupHosts(pending: readonly HostHour[]): { hour: number; hosts: HostHour[] }[] {
  const groups: { hour: number; hosts: HostHour[]; bytes: number }[] = [];
  for (const h of pending) {
    const bytes = Buffer.byteLength(h.host) + 24; // the name, its quoting and its count
    let group = groups.at(-1);
    if (!group || group.hour !== h.hour || group.bytes + bytes > HOST_BYTES_PER_GROUP) {
      group = { hour: h.hour, hosts: [], bytes: 0 };
      groups.push(group);
    }
    group.hosts.push(h);
    group.bytes += bytes;
  }
  return groups.map(({ hour, hosts }) => ({ hour, hosts }));
}

/**
 * Seals the host-hours that are due at `now`: those whose hour ended `graceMs` ago or more, whose
 * last samples were stored `graceMs` ago or more, and that had samples stored since their last
 * sealing; up to `hostHoursPerPass`, an hour's hosts at a time (`groupHosts`), in queries of
 * about `rowsPerQuery` samples (on the embedded engine a query holds every other until it ends). What each hour's
 * sealing saw goes into `metrics_1h_seals` once its queries are done, so an interrupted pass is
 * repeated whole; samples stored meanwhile are counted past it and seal the hour again.
 */
export async function sealHours(
  client: ClickHouseClient,
  db: string,
  limits: SealLimits,
  now: number,
  /** Told each query's samples and wall time (the benchmark's view of how long one holds the engine). */
  onQuery?: (rows: number, ms: number) => void,
): Promise<SealPass> {
  const quiet = now - limits.graceMs;
  const pending = await pendingHostHours(client, db, quiet - HOUR_MS, quiet, limits.hostHoursPerPass);
  let queries = 0;
  for (const { hour, hosts } of groupHosts(pending)) {
    const counts = await keyCounts(client, db, hour, hosts);
    for (const query of planRanges(counts, limits.rowsPerQuery)) {
      const start = performance.now();
      await sealRanges(client, db, hour, hosts, query.ranges);
      queries++;
      onQuery?.(query.rows, performance.now() - start);
    }
    await client.insert({
      table: `${db}.metrics_1h_seals`,
      values: hosts.map((h) => ({ hour: h.hour / 1000, host: h.host, rows: h.rows })),
      format: 'JSONEachRow',
    });
  }
  return { hostHours: pending.length, queries, rows: pending.reduce((n, h) => n + h.rows, 0) };
}
