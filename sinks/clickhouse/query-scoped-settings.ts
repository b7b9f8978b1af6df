/**
 * The embedded engine's connection applies `clickhouse_settings` as session-wide `SET`s that
 * outlive the query: a read-only console query would leave the writer read-only, and one insert's
 * deduplication token would be reused by the next insert. This wrapper moves per-query settings
 * into a `SETTINGS` clause of the statement itself, which scopes them to that one query, exactly
 * as they are scoped over HTTP to a server.
 */
type Settings = Record<string, unknown>;
interface WithSettings {
  query: string;
  clickhouse_settings?: Settings;
}

/** Settings clickhouse-js may send that only mean something over HTTP. */
export const HTTP_ONLY = new Set([
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'enable_http_compression',
]);

function literal(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  return `'${String(value).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** `sql` with `SETTINGS …` placed before its trailing `FORMAT x` (or at the end). */
export function withSettingsClause(sql: string, settings: Settings): string {
  const pairs = Object.entries(settings)
    .filter(([k, v]) => v !== undefined && !HTTP_ONLY.has(k))
    .map(([k, v]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`invalid setting name ${JSON.stringify(k)}`);
      return `${k} = ${literal(v)}`;
    });
  if (pairs.length === 0) return sql;
  const clause = `\nSETTINGS ${pairs.join(', ')}`;
  const format = /\s+FORMAT\s+[A-Za-z0-9_]+\s*$/i.exec(sql);
  return format ? `${sql.slice(0, format.index)}${clause}${sql.slice(format.index)}` : `${sql}${clause}`;
}

function scoped<P extends WithSettings>(params: P): P {
  if (!params.clickhouse_settings) return params;
  return {
    ...params,
    query: withSettingsClause(params.query, params.clickhouse_settings),
    clickhouse_settings: undefined,
  };
}

interface ConnectionLike {
  ping(params: unknown): Promise<unknown>;
  query(params: WithSettings): Promise<unknown>;
  insert(params: WithSettings): Promise<unknown>;
  command(params: WithSettings): Promise<unknown>;
  exec(params: WithSettings): Promise<unknown>;
  close(): Promise<void>;
}

export function queryScopedSettings<C extends ConnectionLike>(connection: C): C {
  const wrapped: ConnectionLike = {
    ping: (p) => connection.ping(p),
    query: (p) => connection.query(scoped(p)),
    insert: (p) => connection.insert(scoped(p)),
    command: (p) => connection.command(scoped(p)),
    exec: (p) => connection.exec(scoped(p)),
    close: () => connection.close(),
  };
  return wrapped as C;
}
