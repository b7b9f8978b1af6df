/**
 * A sample's label within its metric, as /api/series names it: the promoted attributes that are
 * set (state, mountpoint, device, interface, direction), joined by spaces; '' for none (total CPU).
 */
export function seriesLabel(attributes: Record<string, string>): string {
  const first = (...keys: string[]) => keys.map((k) => attributes[k] ?? '').find((v) => v !== '') ?? '';
  return [
    first(
      'cpu.mode',
      'system.memory.state',
      'system.filesystem.state',
      'system.paging.state',
      'network.connection.state',
      'system.process.status',
    ),
    attributes['system.filesystem.mountpoint'] ?? '',
    attributes['system.device'] ?? '',
    attributes['network.interface.name'] ?? '',
    first('network.io.direction', 'disk.io.direction'),
  ]
    .filter((v) => v !== '')
    .join(' ');
}
