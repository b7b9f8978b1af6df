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

/** A real connection whose inserts into one table wait at a gate while `stalled` is set. */
export function stallingConnection(inner: Connection, table: string) {
  const target = new RegExp(`^INSERT INTO ${table.replace('.', '\\.')}[\\s(]`);
  let open: () => void = () => undefined;
  let gate = new Promise<void>((resolve) => (open = resolve));
  const state = {
    stalled: true,
    waiting: 0,
    release() {
      state.stalled = false;
      open();
    },
    stall() {
      state.stalled = true;
      gate = new Promise<void>((resolve) => (open = resolve));
    },
  };
  const connection: Connection = {
    ping: (p) => inner.ping(p),
    query: (p) => inner.query(p),
    command: (p) => inner.command(p),
    exec: (p) => inner.exec(p),
    close: () => inner.close(),
    insert: async (p) => {
      if (state.stalled && target.test(p.query)) {
        state.waiting++;
        await gate;
        state.waiting--;
      }
      return inner.insert(p);
    },
  };
  return { connection, state };
}
