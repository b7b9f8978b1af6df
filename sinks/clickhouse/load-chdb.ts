import { ConfigError } from '../../core/errors';

/** Whether `err` says that `name` itself (not something it needs) cannot be found. */
const missing = (err: unknown, name: string) =>
  (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' &&
  String((err as Error).message).includes(`'${name}'`);

/**
 * Loads the embedded ClickHouse engine (`chdb`, or one of its entry points) when, and only when,
 * a process uses it. chdb is an optional dependency: `npm install` brings it where it builds, an
 * agent never needs it, and without it a ClickHouse server (`clickhouse.url`) works as well. A
 * missing engine is a configuration error that says both ways out.
 */
export function loadChdb<T>(entry: 'chdb' | 'chdb/connection', load: (id: string) => unknown = require): T {
  try {
    return load(entry) as T;
  } catch (err) {
    if (!missing(err, entry)) throw err;
    throw new ConfigError(
      'the embedded ClickHouse engine (the optional dependency chdb) is not installed: ' +
        'run `npm install chdb`, or set clickhouse.url (CLICKHOUSE_URL) to use a ClickHouse server',
    );
  }
}
