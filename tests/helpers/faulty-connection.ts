import type { Connection } from '../../sinks/clickhouse';

/** A real connection whose inserts into one table fail while `failing` is set. */
export function faultyConnection(inner: Connection, table: string) {
  const state = { failing: true, failedInserts: 0 };
  const target = new RegExp(`^INSERT INTO ${table.replace('.', '\\.')}[\\s(]`);
  const connection: Connection = {
    ping: (p) => inner.ping(p),
    query: (p) => inner.query(p),
    command: (p) => inner.command(p),
    exec: (p) => inner.exec(p),
    close: () => inner.close(),
    insert: async (p) => {
      if (state.failing && target.test(p.query)) {
        state.failedInserts++;
        throw new Error('injected insert failure');
      }
      return inner.insert(p);
    },
  };
  return { connection, state };
}
