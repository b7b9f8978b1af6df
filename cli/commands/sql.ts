import fs from 'node:fs';
import type { Config } from '../../core/config';
import { TidewatchError } from '../../core/errors';
import { createClickHouse, QueryResult, runReadOnlyQuery } from '../../sinks/clickhouse';
import { tokenFile } from '../../sinks/gateway';
import { formatResult, type ResultFormat } from '../result-formats';
import { readRuntime } from '../runtime-file';

async function viaInstance(
  url: string,
  token: string,
  query: string,
  params: Record<string, string>,
): Promise<QueryResult> {
  const res = await fetch(`${url}/api/sql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, params }),
  });
  const body = (await res.json()) as QueryResult & { error?: { code: string; message: string } };
  if (!res.ok) {
    const code = res.status === 429 ? 'TW_ERR_SQL_CONSOLE_BUSY' : 'TW_ERR_CLICKHOUSE_QUERY';
    throw new TidewatchError(
      body.error?.code === 'TW_ERR_SQL_NOT_READONLY' ? body.error.code : code,
      body.error?.message ?? `HTTP ${res.status}`,
    );
  }
  return body;
}

/** `--param host=web-1` → `{host: 'web-1'}`, bound to `{host:String}` by ClickHouse. */
export function parseParams(pairs: readonly string[] = []): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 1 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq)))
      throw new TidewatchError(
        'TW_ERR_BAD_REQUEST',
        `--param takes name=value (a plain name), not "${pair}"`,
      );
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}

/**
 * `tidewatch sql "<query>"`: through the running instance's API when there is one (the embedded
 * engine allows one process per data directory), else straight to ClickHouse. Either way through
 * the SQL console (`sinks/clickhouse/sql-console.ts`): the same sandbox, limits and queue.
 */
export async function sqlCommand(
  query: string | undefined,
  format: ResultFormat,
  config: Config,
  paramPairs?: readonly string[],
): Promise<void> {
  if (!query)
    throw new TidewatchError(
      'TW_ERR_BAD_REQUEST',
      'usage: tidewatch sql "<query>" [--format table|json|TSV|CSV|JSONEachRow|Vertical] [--param name=value ...]',
    );
  const params = parseParams(paramPairs);
  const runtime = readRuntime(config.dataDir);
  let result: QueryResult;
  if (runtime) {
    const token = config.gateway.token ?? fs.readFileSync(tokenFile(config.dataDir), 'utf8').trim();
    result = await viaInstance(runtime.url, token, query, params);
  } else {
    const client = createClickHouse({ ...config.clickhouse, dataDir: config.dataDir });
    try {
      result = await runReadOnlyQuery(client, query, params);
    } finally {
      await client.close();
    }
  }
  // Formatted here from the JSON rows: the console's sandbox refuses a FORMAT clause in the query.
  process.stdout.write(formatResult(result, format));
}
