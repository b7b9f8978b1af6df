import type { ClickHouseClient } from '@clickhouse/client';
import { TidewatchError } from '../../core/errors';
import type { ConsoleReply } from './console-protocol';
import type { ConsoleQueue } from './console-queue';
import type { QueryResult } from './read-only-query';

/**
 * The SQL console (`/api/sql`, `tidewatch sql`): one read-only query with bound parameters, in
 * a sandbox the engine enforces, under limits, through a bounded queue. `createClickHouse` gives
 * each client the console that fits its engine (`embedded-sql-console.ts`, `client-sql-console.ts`).
 */
export interface SqlConsole {
  run(sql: string, params?: Record<string, unknown>): Promise<QueryResult>;
  readonly queue: ConsoleQueue;
  /** Refuses new queries, waits for those under way, releases the console's threads. */
  close(): Promise<void>;
}

const consoles = new WeakMap<ClickHouseClient, SqlConsole>();

export function attachSqlConsole(client: ClickHouseClient, console: SqlConsole): void {
  consoles.set(client, console);
}

/** The console attached to `client`, if any. */
export function sqlConsoleOf(client: ClickHouseClient): SqlConsole | undefined {
  return consoles.get(client);
}

/** A console's reply as a result, or its refusal or engine error as a TidewatchError. */
export function resultOf(reply: ConsoleReply): QueryResult {
  if (!reply.ok) {
    const message =
      reply.code === 'TW_ERR_CLICKHOUSE_QUERY'
        ? `ClickHouse error${reply.type ? ` ${reply.type}` : ''}: ${reply.message}`
        : reply.message;
    throw new TidewatchError(reply.code, message);
  }
  const body = JSON.parse(reply.json) as {
    meta?: { name: string; type: string }[];
    data: Record<string, unknown>[];
    rows?: number;
    statistics?: { elapsed?: number };
  };
  return {
    columns: body.meta ?? [],
    rows: body.data,
    rowCount: body.rows ?? body.data.length,
    elapsedMs: Math.round((body.statistics?.elapsed ?? 0) * 1000),
  };
}
