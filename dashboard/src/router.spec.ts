import { parseRoute, routeHash } from './router';

describe('router', () => {
  it('reads a view, a host and a moment from the hash, and writes them back the same', () => {
    expect(parseRoute('')).toEqual({ view: 'overview' });
    expect(parseRoute('#pipeline')).toEqual({ view: 'pipeline' });
    expect(parseRoute('#nonsense')).toEqual({ view: 'overview' });
    const route = { view: 'host' as const, host: 'web 1/a', at: 1_700_000_000_000 };
    expect(routeHash(route)).toBe('#host/web%201%2Fa?at=1700000000000');
    expect(parseRoute(routeHash(route))).toEqual(route);
    expect(parseRoute('#host/%E0%A4%A')).toEqual({ view: 'overview' });
    expect(parseRoute('#anomalies?at=abc')).toEqual({ view: 'anomalies' });
  });
});
