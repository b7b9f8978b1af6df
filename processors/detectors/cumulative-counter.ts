/**
 * The metrics the host agent publishes as cumulative OpenTelemetry counters (a total since boot;
 * a drop is a reset). Level-shift, drift and spike detection on a running total is meaningless
 * (it rises forever and falls at every reboot), so anomaly scoring skips these: the agent also
 * publishes each one's per-second rate as `tidewatch.<name>_rate`, an ordinary gauge, and that
 * series is scored instead. The host agent's conventions table is checked against this list.
 */
export const CUMULATIVE_COUNTERS: ReadonlySet<string> = new Set([
  'system.disk.io',
  'system.disk.operations',
  'system.network.io',
  'system.network.packet.count',
  'system.network.errors',
  'system.network.packet.dropped',
  'system.process.created',
]);

export const isCumulativeCounter = (metric: string): boolean => CUMULATIVE_COUNTERS.has(metric);
