import { embeddedConnection, type Connection } from '../../sinks/clickhouse';
import { waitFor } from './wait-for';

/**
 * The embedded engine for a test file, opened once the previous file's engine is released. chDB
 * holds one data directory per process and closes it only when its last query has finished, so
 * a file that starts right after another may have to wait a moment.
 */
export function openEmbedded(dataDir: string): Promise<Connection> {
  return waitFor(
    'the previous embedded engine to be released',
    () => {
      try {
        return embeddedConnection(dataDir);
      } catch (err) {
        if (/only one active data directory/.test(String(err))) return undefined;
        throw err;
      }
    },
    30_000,
    100,
  );
}
