/** The kernel's TCP states (include/net/tcp_states.h), as OpenTelemetry's network.connection.state names them. */
export const TCP_STATES: Record<string, string> = {
  '01': 'established',
  '02': 'syn_sent',
  '03': 'syn_received',
  '04': 'fin_wait_1',
  '05': 'fin_wait_2',
  '06': 'time_wait',
  '07': 'closed',
  '08': 'close_wait',
  '09': 'last_ack',
  '0A': 'listen',
  '0B': 'closing',
};

/** Counts TCP sockets by state over /proc/net/tcp and /proc/net/tcp6; every state appears, 0 when none. */
export function countTcpStates(tables: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of Object.values(TCP_STATES)) counts[name] = 0;
  for (const table of tables) {
    for (const line of table.split('\n')) {
      const state = TCP_STATES[line.trim().split(/\s+/)[3] ?? ''];
      if (state) counts[state]!++;
    }
  }
  return counts;
}
