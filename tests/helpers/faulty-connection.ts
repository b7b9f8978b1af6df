import type { Connection } from '../../sinks/clickhouse';

/** Runs one insert: `proceed` performs it on the real connection. */
type Gate = <R>(proceed: () => Promise<R>) => Promise<R>;

const insertInto = (table: string) => new RegExp(`^INSERT INTO ${table.replace('.', '\\.')}[\\s(]`);

/**
 * `inner`, with its inserts into `table` going through `gate`, whichever way they are sent: as an
 * insert with rows, or as an `INSERT … SELECT` command (the raw store's Avro files). Everything
 * else passes straight through.
 */
function gated(inner: Connection, table: string, gate: Gate): Connection {
  const target = insertInto(table);
  return {
    ping: (p) => inner.ping(p),
    query: (p) => inner.query(p),
    exec: (p) => inner.exec(p),
    close: () => inner.close(),
    insert: (p) => (target.test(p.query) ? gate(() => inner.insert(p)) : inner.insert(p)),
    command: (p) => (target.test(p.query) ? gate(() => inner.command(p)) : inner.command(p)),
  };
}

/** A real connection whose inserts into one table fail while `failing` is set. */
export function faultyConnection(inner: Connection, table: string) {
  const state = { failing: true, failedInserts: 0 };
  const connection = gated(inner, table, async (proceed) => {
    if (state.failing) {
      state.failedInserts++;
      throw new Error('injected insert failure');
    }
    return proceed();
  });
  return { connection, state };
}

/** A real connection whose inserts into one table wait at a gate while `stalled` is set. */
export function stallingConnection(inner: Connection, table: string) {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const state = {
    stalled: true,
    waiting: 0,
    release() {
      state.stalled = false;
      open();
    },
  };
  const connection = gated(inner, table, async (proceed) => {
    if (state.stalled) {
      state.waiting++;
      await opened;
      state.waiting--;
    }
    return proceed();
  });
  return { connection, state };
}

/** A real connection that performs inserts into one table but loses the reply `lose` times. */
export function lossyConnection(inner: Connection, table: string, lose: number) {
  const state = { lose, lostReplies: 0 };
  const connection = gated(inner, table, async (proceed) => {
    const result = await proceed();
    if (state.lose > 0) {
      state.lose--;
      state.lostReplies++;
      throw new Error('injected lost reply (the insert happened)');
    }
    return result;
  });
  return { connection, state };
}
