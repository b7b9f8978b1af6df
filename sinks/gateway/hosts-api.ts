import type { ServerResponse } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import { sendError, sendJson } from './http-api';
import { labelFilters, type LabelFilter } from './label-filters';

export interface HostsApiDeps {
  clickhouse: ClickHouseClient;
  database: string;
}

/** A host name as agents report it: letters, digits and . _ : - (at most 253). */
export const HOST_NAME = /^[A-Za-z0-9._:-]{1,253}$/;

async function rows<T>(
  deps: HostsApiDeps,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const rs = await deps.clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/**
 * GET /api/hosts: every host with its inventory, its labels, when it was last heard from (and how
 * long ago) and its latest CPU and memory utilization; `?label=env:prod` (repeatable, all must
 * hold) keeps the hosts whose latest labels match.
 */
async function hosts(res: ServerResponse, deps: HostsApiDeps, filters: LabelFilter[]): Promise<void> {
  const db = deps.database;
  const params: Record<string, string> = {};
  const where = filters.map((f, i) => {
    params[`ln${i}`] = f.name;
    params[`lv${i}`] = f.value;
    return `hl.labels[{ln${i}:String}] = {lv${i}:String}`;
  });
  const list = await rows<Record<string, unknown>>(
    deps,
    `SELECT h.host AS host, hl.labels AS labels, toUnixTimestamp64Milli(h.last_seen) AS last_seen,
            dateDiff('millisecond', h.last_seen, now64(3)) AS age_ms,
            h.os_description AS os, h.os_version AS kernel, h.cpu_model AS cpu_model, h.cpu_cores AS cpu_cores,
            h.memory_total AS memory_total, l.cpu AS cpu_utilization, l.mem AS memory_utilization
     FROM ${db}.hosts AS h
     LEFT JOIN (
       SELECT host,
         argMaxIf(value, ts, metric = 'system.cpu.utilization' AND state = '') AS cpu,
         argMaxIf(value, ts, metric = 'system.memory.utilization' AND state = 'used') AS mem
       FROM ${db}.metrics
       WHERE metric IN ('system.cpu.utilization', 'system.memory.utilization') AND ts > now64(3) - INTERVAL 15 MINUTE
       GROUP BY host
     ) AS l ON l.host = h.host
     LEFT JOIN (
       SELECT host, argMax(labels, updated_at) AS labels FROM ${db}.host_labels GROUP BY host
     ) AS hl ON hl.host = h.host
     ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY h.host`,
    params,
  );
  sendJson(res, 200, {
    hosts: list.map((h) => ({
      ...h,
      last_seen: Number(h.last_seen),
      age_ms: Number(h.age_ms),
      memory_total: Number(h.memory_total),
    })),
  });
}

/** GET /api/hosts/:host: the latest value of each of the host's series (last 10 minutes). */
async function latest(res: ServerResponse, deps: HostsApiDeps, host: string): Promise<void> {
  const series = await rows<Record<string, unknown>>(
    deps,
    `SELECT metric, attributes, any(unit) AS unit_, argMax(value, ts) AS last_value,
            toUnixTimestamp64Milli(max(ts)) AS last_ms
     FROM ${deps.database}.metrics
     WHERE host = {host:String} AND ts > now64(3) - INTERVAL 10 MINUTE
     GROUP BY metric, attributes ORDER BY metric`,
    { host },
  );
  if (series.length === 0)
    return sendError(res, 404, 'TW_ERR_BAD_REQUEST', `no samples from host "${host}" in the last 10 minutes`);
  sendJson(res, 200, {
    host,
    series: series.map((s) => ({
      metric: s.metric,
      attributes: s.attributes,
      unit: s.unit_,
      value: s.last_value,
      ts: Number(s.last_ms),
    })),
  });
}

/** GET /api/hosts/:host/processes: the host's latest top-processes snapshot, by CPU. */
async function processes(res: ServerResponse, deps: HostsApiDeps, host: string): Promise<void> {
  const db = deps.database;
  const list = await rows<Record<string, unknown>>(
    deps,
    `SELECT pid, ppid, name, command, user, cpu, rss, state, toUnixTimestamp64Milli(start_time) AS started_ms,
            rank_cpu, rank_memory, toUnixTimestamp64Milli(ts) AS snapshot_ms
     FROM ${db}.processes
     WHERE host = {host:String} AND kind = 'snapshot'
       AND ts = (SELECT max(ts) FROM ${db}.processes WHERE host = {host:String} AND kind = 'snapshot')
     ORDER BY cpu DESC, rss DESC LIMIT 1 BY pid`,
    { host },
  );
  if (list.length === 0)
    return sendError(res, 404, 'TW_ERR_BAD_REQUEST', `no process snapshot from host "${host}"`);
  sendJson(res, 200, {
    host,
    ts: Number(list[0]!.snapshot_ms),
    processes: list.map(({ snapshot_ms: _at, started_ms, ...p }) => ({
      ...p,
      rss: Number(p.rss),
      start_time: Number(started_ms),
    })),
  });
}

/**
 * Routes /api/hosts, /api/hosts/:host and /api/hosts/:host/processes; false when the path is not
 * one of them.
 */
export function routeHostsApi(
  pathname: string,
  res: ServerResponse,
  deps: HostsApiDeps,
  query: URLSearchParams = new URLSearchParams(),
): Promise<void> | false {
  if (pathname === '/api/hosts') {
    const filters = labelFilters(query);
    if ('problem' in filters)
      return Promise.resolve(sendError(res, 400, 'TW_ERR_BAD_REQUEST', filters.problem));
    return hosts(res, deps, filters);
  }
  const m = /^\/api\/hosts\/([^/]+)(\/processes)?$/.exec(pathname);
  if (!m) return false;
  let host: string;
  try {
    host = decodeURIComponent(m[1]!);
  } catch {
    host = '';
  }
  if (!HOST_NAME.test(host))
    return Promise.resolve(
      sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'a host name is letters, digits and . _ : - (at most 253)'),
    );
  return m[2] ? processes(res, deps, host) : latest(res, deps, host);
}
