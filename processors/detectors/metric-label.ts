/** Plain words for the OpenTelemetry names, for reasons people read ("CPU utilization 0.97 is …"). */
const LABELS: Record<string, string> = {
  'system.cpu.utilization': 'CPU utilization',
  'system.cpu.load_average.1m': 'Load average (1m)',
  'system.cpu.load_average.5m': 'Load average (5m)',
  'system.cpu.load_average.15m': 'Load average (15m)',
  'system.memory.usage': 'Memory usage',
  'system.memory.utilization': 'Memory utilization',
  'system.paging.usage': 'Swap usage',
  'system.filesystem.usage': 'Filesystem usage',
  'system.filesystem.utilization': 'Filesystem utilization',
  'system.disk.io': 'Disk I/O (total)',
  'system.disk.operations': 'Disk operations (total)',
  'system.network.io': 'Network traffic (total)',
  'system.network.errors': 'Network errors (total)',
  'system.network.packet.dropped': 'Dropped packets (total)',
  'tidewatch.system.disk.io_rate': 'Disk I/O',
  'tidewatch.system.disk.operations_rate': 'Disk operations',
  'tidewatch.system.network.io_rate': 'Network traffic',
  'tidewatch.system.network.packet.count_rate': 'Packets',
  'tidewatch.system.network.errors_rate': 'Network errors',
  'tidewatch.system.network.packet.dropped_rate': 'Dropped packets',
  'tidewatch.system.process.created_rate': 'Processes created',
  'system.network.connection.count': 'Connections',
  'system.process.count': 'Process count',
};

const DETAIL = [
  'cpu.mode',
  'system.device',
  'system.filesystem.mountpoint',
  'network.io.direction',
  'system.memory.state',
];

export function metricLabel(metric: string, attributes: Record<string, string> = {}): string {
  const base = LABELS[metric] ?? metric;
  const detail = DETAIL.map((k) => attributes[k]).filter(Boolean);
  return detail.length ? `${base} (${detail.join(', ')})` : base;
}
