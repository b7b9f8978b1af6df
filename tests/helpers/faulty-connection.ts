import type { Connection } from '../../sinks/clickhouse';

type Insert = Connection['insert'];

/** `inner`, with its inserts going through `insert` (everything else passes straight through). */
function withInsert(inner: Connection, insert: Insert): Connection {
  return {
    ping: (p) => inner.ping(p),
    query: (p) => inner.query(p),
    command: (p) => inner.command(p),
    exec: (p) => inner.exec(p),
    close: () => inner.close(),
    insert,
  };
}

const insertInto = (table: string) => new RegExp(`^INSERT INTO ${table.replace('.', '\\.')}[\\s(]`);

/** A real connection whose inserts into one table fail while `failing` is set. */
export function faultyConnection(inner: Connection, table: string) {
  const state = { failing: true, failedInserts: 0 };
  const target = insertInto(table);
  const connection = withInsert(inner, async (p) => {
    if (state.failing && target.test(p.query)) {
      state.failedInserts++;
      throw new Error('injected insert failure');
    }
    return inner.insert(p);
  });
  return { connection, state };
}

/** A real connection whose inserts into one table wait at a gate while `stalled` is set. */
export function stallingConnection(inner: Connection, table: string) {
  const target = insertInto(table);
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const state = {
    stalled: true,
    waiting: 0,
    release() {
      state.stalled = false;
      open();
    },
  };
  const connection = withInsert(inner, async (p) => {
    if (state.stalled && target.test(p.query)) {
      state.waiting++;
      await gate;
      state.waiting--;
    }
    return inner.insert(p);
  });
  return { connection, state };
}

/** A real connection that performs inserts into one table but loses the reply `lose` times. */
export function lossyConnection(inner: Connection, table: string, lose: number) {
  const target = insertInto(table);
  const state = { lose, lostReplies: 0 };
  const connection = withInsert(inner, async (p) => {
    const result = await inner.insert(p);
    if (state.lose > 0 && target.test(p.query)) {
      state.lose--;
      state.lostReplies++;
      throw new Error('injected lost reply (the insert happened)');
    }
    return result;
  });
  return { connection, state };
}
