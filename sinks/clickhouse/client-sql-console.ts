import type { ClickHouseClient } from '@clickhouse/client';
import { errorMessage, TidewatchError } from '../../core/errors';
import { checkConsoleAst, type ConsolePolicy } from './console-ast';
import { ConsoleQueue } from './console-queue';
import { limitSettings, type ConsoleLimits } from './console-sandbox';
import { oneStatementRefusal } from './one-statement';
import { resultOf, type SqlConsole } from './sql-console';

async function rowsOf<T>(
  client: ClickHouseClient,
  query: string,
  params?: Record<string, unknown>,
): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONCompactEachRow', query_params: params });
  return rs.json<T>();
}

/** ClickHouse's message, first line, and its error name (the client parses it). */
function engineError(err: unknown): { message: string; type?: string } {
  const first = errorMessage(err).split('\n')[0]!;
  return { message: first, type: (err as { type?: string }).type };
}

/**
 * The console through a client (a ClickHouse server, or a client a test built over its own
 * connection): the same checks on the engine's parse as on the embedded engine, the limits and
 * `readonly = 1` as the query's own settings. Over HTTP a server scopes those to the query and its
 * readonly refuses any change in it; the embedded engine would put them in a trailing SETTINGS
 * clause, which a subquery's SETTINGS overrides, so the tree check refuses every SETTINGS clause.
 */
export function clientSqlConsole(
  client: ClickHouseClient,
  limits: ConsoleLimits,
  database?: string,
): SqlConsole {
  const queue = new ConsoleQueue(
    limits.maxRunning,
    limits.maxWaiting,
    Math.min(limits.maxExecutionSeconds, 60),
  );
  let policy: Promise<ConsolePolicy> | undefined;
  const loadPolicy = async (): Promise<ConsolePolicy> => ({
    databases: database ? [database] : undefined,
    tableFunctions: new Set(
      (await rowsOf<[string]>(client, 'SELECT name FROM system.table_functions')).map((r) => r[0]),
    ),
    functions: new Set(
      (await rowsOf<[string]>(client, 'SELECT name FROM system.functions')).map((r) => r[0]),
    ),
  });
  const run = async (sql: string, params: Record<string, unknown>) => {
    let canonical: string;
    try {
      policy ??= loadPolicy();
      canonical = (
        await rowsOf<[string]>(client, 'SELECT formatQuerySingleLine({q:String})', { q: sql })
      )[0]![0];
      await policy;
    } catch (err) {
      policy = undefined;
      const refusal = oneStatementRefusal(err);
      if (refusal !== err) throw refusal;
      const { message, type } = engineError(err);
      return resultOf({ id: 0, ok: false, code: 'TW_ERR_CLICKHOUSE_QUERY', message, type });
    }
    // The tree as a subquery's rows, so that the FORMAT the client appends is the outer query's and
    // not the explained one's. The engine explains only a SELECT there (no INTO OUTFILE, no FORMAT),
    // so through a client the console runs SELECT and WITH queries only.
    let tree: string[];
    try {
      tree = (await rowsOf<[string]>(client, `SELECT explain FROM (EXPLAIN AST ${canonical})`, params)).map(
        (r) => r[0],
      );
    } catch (err) {
      throw new TidewatchError(
        'TW_ERR_SQL_NOT_READONLY',
        `only SELECT and WITH queries are allowed here (${engineError(err).message})`,
      );
    }
    checkConsoleAst(tree, await policy);
    try {
      const rs = await client.query({
        query: canonical,
        format: 'JSON',
        query_params: params,
        clickhouse_settings: { ...limitSettings(limits), readonly: '1' },
      });
      return resultOf({ id: 0, ok: true, json: await rs.text() });
    } catch (err) {
      const { message, type } = engineError(err);
      return resultOf({ id: 0, ok: false, code: 'TW_ERR_CLICKHOUSE_QUERY', message, type });
    }
  };
  return {
    queue,
    run: (sql, params = {}) => queue.run(() => run(sql, params)),
    close: async () => undefined,
  };
}
