import path from 'node:path';
import { ClickHouseClient, createClient } from '@clickhouse/client';
import type { TlsFiles } from '../../core/tls-files';
import { clickHouseTls } from './clickhouse-tls';
import { clientSqlConsole } from './client-sql-console';
import { DEFAULT_CONSOLE_LIMITS, type ConsoleLimits } from './console-sandbox';
import { drainFailedQueries } from './drain-failed-queries';
import { embeddedSqlConsole } from './embedded-sql-console';
import { rawInserts } from './embedded-raw-insert';
import { queryScopedSettings } from './query-scoped-settings';
import { rowRunJson } from './row-run';
import { attachSqlConsole, type SqlConsole } from './sql-console';
import { loadChdb } from './load-chdb';

export type { ClickHouseClient };

export interface ClickHouseTarget {
  /** A ClickHouse server; unset means the embedded engine under `dataDir`. */
  url?: string;
  username: string;
  password: string;
  dataDir: string;
  /** The database the SQL console reads (unqualified names mean it). */
  database?: string;
  /** The SQL console's limits and queue (`clickhouse.console`). */
  console?: ConsoleLimits;
  /** CA and client certificate for an https server (`clickhouse.tls`). */
  tls?: TlsFiles;
}

export type Connection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

/** The embedded engine as a client connection, its data under `dataDir/clickhouse`. */
export function embeddedConnection(dataDir: string): Connection {
  const { createChdbConnection } = loadChdb<typeof import('chdb/connection')>('chdb/connection');
  // chdb types its Connection against its own copy of @clickhouse/client-common; same shape.
  const native = createChdbConnection({ path: path.join(dataDir, 'clickhouse') }) as unknown as Connection;
  return drainFailedQueries(rawInserts(queryScopedSettings(native), native));
}

/**
 * One code path for both deployments: the official client, talking either to a server over HTTP
 * or to the embedded engine (chdb) in this process. The embedded engine binds one data directory
 * per process, so in that mode the writer and every reader share it. chdb (a large native
 * library) is loaded only when the embedded engine is used.
 */
export function createClickHouse(target: ClickHouseTarget): ClickHouseClient {
  const limits = target.console ?? DEFAULT_CONSOLE_LIMITS;
  if (target.url) {
    const client = createClient({
      url: target.url,
      username: target.username,
      password: target.password,
      tls: clickHouseTls(target.tls),
      request_timeout: 60_000,
      json: rowRunJson,
    });
    return withConsole(client, clientSqlConsole(client, limits, target.database));
  }
  const client = clientOver(embeddedConnection(target.dataDir));
  const engineDir = path.join(target.dataDir, 'clickhouse');
  return withConsole(client, embeddedSqlConsole({ path: engineDir, database: target.database, limits }));
}

/** `client` carrying its SQL console, which its `close()` closes first. */
function withConsole(client: ClickHouseClient, console: SqlConsole): ClickHouseClient {
  attachSqlConsole(client, console);
  const close = client.close.bind(client);
  client.close = async () => {
    await console.close();
    await close();
  };
  return client;
}

/** The official client over a connection of our own (the embedded engine, or a test's wrapper of it). */
export function clientOver(connection: Connection): ClickHouseClient {
  return createClient({ connection, json: rowRunJson });
}
