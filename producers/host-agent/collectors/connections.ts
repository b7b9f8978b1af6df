import { countTcpStates } from '../procfs/net-tcp';
import type { ProcReader } from '../procfs/proc-reader';
import type { Collector } from './collector';

/** system.network.connection.count of TCP sockets (IPv4 and IPv6) by network.connection.state. */
export function connectionsCollector(proc: ProcReader, everyMs: number): Collector {
  return {
    name: 'connections',
    everyMs,
    async collect() {
      const tables = await Promise.all([proc.readIfExists('net/tcp'), proc.readIfExists('net/tcp6')]);
      const counts = countTcpStates(tables.filter((t): t is string => t !== undefined));
      return {
        samples: Object.entries(counts).map(([state, value]) => ({
          metric: 'system.network.connection.count',
          value,
          unit: '{connection}',
          attributes: { 'network.transport': 'tcp', 'network.connection.state': state },
        })),
      };
    },
  };
}
