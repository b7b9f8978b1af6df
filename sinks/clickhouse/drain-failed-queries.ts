import type { Connection } from './client';

/**
 * The embedded engine keeps the partial output of a query that fails (a result over its row
 * limit, a timeout, an error raised while it runs) and hands it to whatever runs next on the
 * connection, so the next reader would get someone else's rows glued to its own. After a failed
 * query this runs a throwaway statement that takes the leftovers, before anything else may query.
 * Queries are therefore serialized, as the engine runs them one at a time anyway.
 */
export function drainFailedQueries(connection: Connection): Connection {
  let turn: Promise<unknown> = Promise.resolve();
  return {
    ping: (p) => connection.ping(p),
    query: (p) => {
      const run = turn.then(async () => {
        try {
          return await connection.query(p);
        } catch (err) {
          await connection.command({ query: 'SELECT 1' }).catch(() => undefined);
          throw err;
        }
      });
      turn = run.catch(() => undefined);
      return run;
    },
    insert: (p) => connection.insert(p),
    command: (p) => connection.command(p),
    exec: (p) => connection.exec(p),
    close: () => connection.close(),
  };
}
