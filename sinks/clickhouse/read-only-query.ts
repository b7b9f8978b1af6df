import type { ClickHouseClient } from '@clickhouse/client';
import { TidewatchError, errorMessage } from '../../core/errors';

export interface QueryLimits {
  maxExecutionSeconds: number;
  maxResultRows: number;
  maxResultBytes: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxExecutionSeconds: 30,
  maxResultRows: 100_000,
  maxResultBytes: 64 * 1024 * 1024,
};

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  elapsedMs: number;
}

const READ_VERBS = /^(select|with|show|describe|desc|explain|exists)\b/i;

/** Table functions that reach outside ClickHouse (files, network, processes): never from the console. */
const OUTSIDE_FUNCTIONS =
  /[`"]?\b(file|fileCluster|url|urlCluster|s3|s3Cluster|gcs|azureBlobStorage|hdfs|remote|remoteSecure|cluster|clusterAllReplicas|mysql|postgresql|sqlite|mongodb|redis|jdbc|odbc|executable|input|deltaLake|iceberg|hudi|python)[`"]?\s*\(/i;

/** Strips comments and one trailing semicolon; refuses anything but a single read statement. */
export function checkReadOnly(sql: string): string {
  const text = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .trim()
    .replace(/;\s*$/, '');
  if (!text) throw new TidewatchError('TW_ERR_SQL_NOT_READONLY', 'the query is empty');
  if (!READ_VERBS.test(text)) {
    throw new TidewatchError(
      'TW_ERR_SQL_NOT_READONLY',
      'only SELECT, WITH, SHOW, DESCRIBE, EXPLAIN and EXISTS are allowed here',
    );
  }
  if (text.includes(';'))
    throw new TidewatchError('TW_ERR_SQL_NOT_READONLY', 'one statement per request (found a ";")');
  const outside = OUTSIDE_FUNCTIONS.exec(text);
  if (outside) {
    throw new TidewatchError(
      'TW_ERR_SQL_NOT_READONLY',
      `the table function ${outside[1]}() reaches outside ClickHouse and is not allowed here`,
    );
  }
  if (/\binto\s+outfile\b/i.test(text)) {
    throw new TidewatchError('TW_ERR_SQL_NOT_READONLY', 'INTO OUTFILE writes a file and is not allowed here');
  }
  if (/\bformat\s+(?!(?:asc|desc)\b)[A-Za-z]\w*\s*$/i.test(text)) {
    throw new TidewatchError(
      'TW_ERR_SQL_NOT_READONLY',
      'a FORMAT clause is not allowed: results come back as JSON (the CLI prints them as a table)',
    );
  }
  if (/\bsettings\b/i.test(text)) {
    throw new TidewatchError(
      'TW_ERR_SQL_NOT_READONLY',
      'a SETTINGS clause is not allowed: the limits of this interface are fixed',
    );
  }
  return text;
}

/**
 * Runs one read-only query with server-side parameter binding (`{name:Type}` placeholders) and
 * hard limits. ClickHouse enforces readonly itself; the text check only gives a clearer message.
 */
export async function runReadOnlyQuery(
  client: ClickHouseClient,
  sql: string,
  params: Record<string, unknown> = {},
  limits: QueryLimits = DEFAULT_LIMITS,
): Promise<QueryResult> {
  const query = checkReadOnly(sql);
  try {
    const rs = await client.query({
      query,
      format: 'JSON',
      query_params: params,
      clickhouse_settings: {
        readonly: '2',
        max_execution_time: limits.maxExecutionSeconds,
        max_result_rows: String(limits.maxResultRows),
        max_result_bytes: String(limits.maxResultBytes),
        result_overflow_mode: 'throw',
      },
    });
    const body = await rs.json<Record<string, unknown>>();
    return {
      columns: body.meta ?? [],
      rows: body.data,
      rowCount: body.rows ?? body.data.length,
      elapsedMs: Math.round((body.statistics?.elapsed ?? 0) * 1000),
    };
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new TidewatchError(
      'TW_ERR_CLICKHOUSE_QUERY',
      `ClickHouse error${code ? ` ${code}` : ''}: ${errorMessage(err).split('\n')[0]}`,
      { cause: err },
    );
  }
}
