import type { ClickHouseClient } from '@clickhouse/client';
import { clientSqlConsole } from './client-sql-console';
import { DEFAULT_CONSOLE_LIMITS, type ConsoleLimits } from './console-sandbox';
import { attachSqlConsole, sqlConsoleOf } from './sql-console';

export interface QueryLimits {
  maxExecutionSeconds: number;
  maxResultRows: number;
  maxResultBytes: number;
}

export const DEFAULT_LIMITS: QueryLimits = DEFAULT_CONSOLE_LIMITS;

export interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  elapsedMs: number;
}

/**
 * Runs one read-only query with server-side parameter binding (`{name:Type}` placeholders) through
 * the client's SQL console (`sql-console.ts`): what it may touch is decided by the engine (a
 * read-only session, and a check on the engine's own parse), never by patterns over the text.
 * A client made by `createClickHouse` carries its console; any other gets one over the client,
 * made on its first query (or, with `limits`, for that query).
 */
export async function runReadOnlyQuery(
  client: ClickHouseClient,
  sql: string,
  params: Record<string, unknown> = {},
  limits?: Partial<ConsoleLimits>,
): Promise<QueryResult> {
  let console = limits ? undefined : sqlConsoleOf(client);
  if (!console) {
    console = clientSqlConsole(client, { ...DEFAULT_CONSOLE_LIMITS, ...limits });
    if (!limits) attachSqlConsole(client, console);
  }
  return console.run(sql, params);
}
