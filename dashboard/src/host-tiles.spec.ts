import { freshness, visibleTiles, type HostTile } from './host-tiles';

const tile = (host: string, over: Partial<HostTile> = {}): HostTile => ({
  host,
  lastSeen: 1000,
  openIncidents: 0,
  ...over,
});

describe('host tiles', () => {
  it('colours freshness by the age of the last sample', () => {
    expect(freshness(0)).toBe('fresh');
    expect(freshness(15_000)).toBe('fresh');
    expect(freshness(15_001)).toBe('late');
    expect(freshness(60_001)).toBe('stale');
  });

  it('filters by a case-insensitive part of the host name', () => {
    const tiles = [tile('web-1'), tile('WEB-2'), tile('db-1')];
    expect(visibleTiles(tiles, ' Web ', 'name').map((t) => t.host)).toEqual(['web-1', 'WEB-2']);
    expect(visibleTiles(tiles, '', 'name')).toHaveLength(3);
  });

  it('keeps the tiles whose labels match every name:value word, with the host-name words', () => {
    const tiles = [
      tile('web-1', { labels: { env: 'prod', region: 'eu-1' } }),
      tile('web-2', { labels: { env: 'staging', region: 'eu-1' } }),
      tile('db-1', { labels: { env: 'prod', region: 'us-2' } }),
      tile('old'),
    ];
    const shown = (search: string) => visibleTiles(tiles, search, 'name').map((t) => t.host);
    expect(shown('env:prod')).toEqual(['db-1', 'web-1']);
    expect(shown(' ENV:Prod  region:eu-1 ')).toEqual(['web-1']);
    expect(shown('env:prod web')).toEqual(['web-1']);
    expect(shown('env:dev')).toEqual([]);
    expect(shown('env:')).toEqual([]);
  });

  it('sorts by name, busiest CPU or memory, quietest first, most incidents; ties by name', () => {
    const tiles = [
      tile('c', { cpu: 0.2, memory: 0.9, lastSeen: 3000, openIncidents: 1 }),
      tile('a', { cpu: 0.8, memory: 0.1, lastSeen: 2000 }),
      tile('b', { lastSeen: 1000, openIncidents: 1 }),
    ];
    const order = (o: Parameters<typeof visibleTiles>[2]) => visibleTiles(tiles, '', o).map((t) => t.host);
    expect(order('name')).toEqual(['a', 'b', 'c']);
    expect(order('cpu')).toEqual(['a', 'c', 'b']);
    expect(order('memory')).toEqual(['c', 'a', 'b']);
    expect(order('freshness')).toEqual(['b', 'a', 'c']);
    expect(order('incidents')).toEqual(['b', 'c', 'a']);
  });
});
