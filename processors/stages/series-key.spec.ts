import { seriesKey } from './series-key';

describe('seriesKey', () => {
  const sample = (attributes: Record<string, string>) => ({ host: 'h1', metric: 'm', attributes });

  it('is the same whatever order the attributes come in', () => {
    const a = seriesKey(sample({ 'cpu.mode': 'user', 'system.cpu.logical_number': '3', b: 'x' }));
    const b = seriesKey(sample({ b: 'x', 'system.cpu.logical_number': '3', 'cpu.mode': 'user' }));
    expect(a).toBe(b);
    expect(a).toBe('h1\u0000m\u0000b=x\u0000cpu.mode=user\u0000system.cpu.logical_number=3');
  });

  it('tells series apart by host, metric, attribute names and values', () => {
    const keys = [
      seriesKey(sample({})),
      seriesKey({ host: 'h2', metric: 'm', attributes: {} }),
      seriesKey({ host: 'h1', metric: 'n', attributes: {} }),
      seriesKey(sample({ a: '1' })),
      seriesKey(sample({ a: '2' })),
      seriesKey(sample({ b: '1' })),
      seriesKey(sample({ a: '1', b: '1' })),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('keeps nothing of a longer earlier sample in a shorter one’s key', () => {
    seriesKey(sample({ z: '1', y: '2', x: '3', w: '4' }));
    expect(seriesKey(sample({ b: '1', a: '2' }))).toBe('h1\u0000m\u0000a=2\u0000b=1');
  });
});
