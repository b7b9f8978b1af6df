import { PROMOTED_ATTRIBUTES } from '../../sinks/clickhouse';
import { LABEL_COLUMNS } from '../../sinks/gateway/series-api';
import { seriesLabel } from './series-label';

describe('seriesLabel', () => {
  it('names a series by its promoted attributes, in the order /api/series uses', () => {
    expect(seriesLabel({})).toBe('');
    expect(seriesLabel({ 'cpu.mode': 'user' })).toBe('user');
    expect(seriesLabel({ 'system.filesystem.mountpoint': '/data', 'system.device': 'sdb1' })).toBe(
      '/data sdb1',
    );
    expect(seriesLabel({ 'network.io.direction': 'receive', 'network.interface.name': 'eth0' })).toBe(
      'eth0 receive',
    );
    expect(seriesLabel({ 'system.device': 'sda', 'disk.io.direction': 'write', other: 'x' })).toBe(
      'sda write',
    );
  });

  it('reads the same attributes, in the same order, as the server’s promoted columns', () => {
    // Every attribute behind each label column (in the SQL that computes the column) names it alone…
    const keysOf = (column: string) =>
      [...PROMOTED_ATTRIBUTES[column]!.matchAll(/attributes\['([^']+)'\]/g)].map((m) => m[1]!);
    for (const column of LABEL_COLUMNS)
      for (const key of keysOf(column)) expect(seriesLabel({ [key]: 'x' })).toBe('x');
    // …and one of each, together, comes out in the API's column order.
    const one = Object.fromEntries(LABEL_COLUMNS.map((c, i) => [keysOf(c)[0]!, `v${i}`]));
    expect(seriesLabel(one)).toBe(LABEL_COLUMNS.map((_, i) => `v${i}`).join(' '));
  });
});
