import { LiveStore, MAX_HOSTS } from './live-store';

const cpu = (host: string, ts: number, value: number, attributes: Record<string, string> = {}) => ({
  host,
  ts,
  metric: 'system.cpu.utilization',
  value,
  attributes,
});

describe('LiveStore', () => {
  it('keeps headline series per host and every series of the focused host only', () => {
    const store = new LiveStore();
    store.focus('a');
    expect(
      store.add([cpu('a', 1000, 0.5), cpu('a', 1000, 0.2, { 'cpu.mode': 'user' }), cpu('b', 1000, 0.1)]),
    ).toBe(true);
    expect(store.hosts()).toEqual(['a', 'b']);
    expect(store.headline.get('a')!.cpu.values).toEqual([0.5]);
    expect([...store.detail.keys()]).toEqual([
      'system.cpu.utilization\u0000',
      'system.cpu.utilization\u0000user',
    ]);
    store.focus('b');
    expect(store.detail.size).toBe(0);
    expect(store.add([cpu('b', 2000, 0.3)])).toBe(false);
    expect(store.detail.size).toBe(1);
  });

  it('refuses hosts past its bound, counting them', () => {
    const store = new LiveStore();
    store.add(Array.from({ length: MAX_HOSTS + 3 }, (_, i) => cpu(`h${i}`, 1000, 0)));
    expect(store.headline.size).toBe(MAX_HOSTS);
    expect(store.overflow).toBe(3);
  });
});
