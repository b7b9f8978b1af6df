import { formatBytes, formatValue } from './format';

describe('formatValue', () => {
  it('reads ratios as percent, bytes with a unit, numbers with sensible decimals', () => {
    expect(formatValue(0.456, 'percent')).toBe('46%');
    expect(formatValue(0.05, 'percent')).toBe('5.0%');
    expect(formatValue(1536, 'bytes')).toBe('1.5 KB/s');
    expect(formatValue(500, 'bytes')).toBe('500 B/s');
    expect(formatValue(3 * 2 ** 30, 'bytes')).toBe('3.0 GB/s');
    expect(formatValue(1.234, 'number')).toBe('1.23');
    expect(formatValue(null, 'number')).toBe('–');
  });
});

describe('formatBytes', () => {
  it('reads a size (a process’s memory) without a rate', () => {
    expect(formatBytes(300 * 2 ** 20)).toBe('300 MB');
    expect(formatBytes(512)).toBe('512 B');
  });
});
