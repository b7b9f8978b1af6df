import { TidewatchError } from '../../core/errors';

/**
 * The session a console query runs in on the embedded engine: a connection of its own, opened for
 * that one query, given its limits and bound parameters with `SET`, then `readonly = 1`. After
 * that the engine refuses any change of setting (a `SETTINGS` clause anywhere in the query, `SET`),
 * every write, and every table function that needs more than read access (`file`, `url`,
 * `filesystem`, `remote`, `s3`, …); what it still lets through is refused on the query's parsed
 * tree (`console-ast.ts`). Settings moved into a statement's own SETTINGS clause would not do:
 * a subquery's SETTINGS overrides them.
 */
export interface ConsoleLimits {
  maxMemoryBytes: number;
  maxExecutionSeconds: number;
  maxRowsToRead: number;
  maxResultRows: number;
  maxResultBytes: number;
  /** Console queries running at once; each holds a thread of its own. */
  maxRunning: number;
  /** Console queries waiting for a turn; more are refused (HTTP 429). */
  maxWaiting: number;
}

export const DEFAULT_CONSOLE_LIMITS: ConsoleLimits = {
  maxMemoryBytes: 1024 ** 3,
  maxExecutionSeconds: 30,
  maxRowsToRead: 1_000_000_000,
  maxResultRows: 100_000,
  maxResultBytes: 64 * 1024 * 1024,
  maxRunning: 2,
  maxWaiting: 4,
};

/** A ClickHouse string literal holding exactly `value`. */
export function sqlString(value: string): string {
  if (value.includes('\0'))
    throw new TidewatchError('TW_ERR_BAD_REQUEST', 'a NUL character is not allowed here');
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The limits as settings, for a session (`SET`) or, to a server, per query. */
export function limitSettings(limits: ConsoleLimits): Record<string, number | string> {
  return {
    max_memory_usage: limits.maxMemoryBytes,
    max_execution_time: limits.maxExecutionSeconds,
    timeout_overflow_mode: 'throw',
    max_rows_to_read: limits.maxRowsToRead,
    read_overflow_mode: 'throw',
    max_result_rows: limits.maxResultRows,
    max_result_bytes: limits.maxResultBytes,
    result_overflow_mode: 'throw',
    // One core per console query: the pipeline keeps the others.
    max_threads: 1,
  };
}

/**
 * The statements that make a fresh session the console's sandbox: limits, extra settings (tests
 * raise `function_sleep_max_microseconds_per_block`), bound parameters (`{name:Type}` reads the
 * value as over HTTP), the database unqualified names mean, and `readonly = 1` last.
 */
export function sandboxStatements(
  limits: ConsoleLimits,
  database: string | undefined,
  params: Record<string, unknown> = {},
  extra: Record<string, number | string> = {},
): string[] {
  const statements: string[] = [];
  for (const [name, value] of Object.entries({ ...limitSettings(limits), ...extra, allow_ddl: 0 })) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new Error(`invalid setting name ${JSON.stringify(name)}`);
    statements.push(`SET ${name} = ${typeof value === 'number' ? value : sqlString(value)}`);
  }
  for (const [name, value] of Object.entries(params)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
      throw new TidewatchError('TW_ERR_BAD_REQUEST', `invalid parameter name ${JSON.stringify(name)}`);
    statements.push(`SET param_${name} = ${sqlString(String(value))}`);
  }
  if (database) statements.push(`USE \`${database.replace(/[`\\]/g, '')}\``);
  statements.push('SET readonly = 1');
  return statements;
}
