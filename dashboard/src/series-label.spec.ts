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
});
