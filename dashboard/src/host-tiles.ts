/** What one overview tile shows about a host. */
export interface HostTile {
  host: string;
  /** Event time of the host's latest headline sample (ms). */
  lastSeen: number;
  /** Latest CPU and memory utilization, 0–1. */
  cpu?: number;
  memory?: number;
  openIncidents: number;
}

export type Freshness = 'fresh' | 'late' | 'stale';
export type TileOrder = 'name' | 'cpu' | 'memory' | 'freshness' | 'incidents';

/** Green while samples arrive on time, yellow when late, red when the host went quiet. */
export function freshness(ageMs: number, lateAfterMs = 15_000, staleAfterMs = 60_000): Freshness {
  return ageMs <= lateAfterMs ? 'fresh' : ageMs <= staleAfterMs ? 'late' : 'stale';
}

const byName = (a: HostTile, b: HostTile) => a.host.localeCompare(b.host);
const descending = (f: (t: HostTile) => number) => (a: HostTile, b: HostTile) => f(b) - f(a) || byName(a, b);

const ORDERS: Record<TileOrder, (a: HostTile, b: HostTile) => number> = {
  name: byName,
  cpu: descending((t) => t.cpu ?? -1),
  memory: descending((t) => t.memory ?? -1),
  // Quietest first: those are the hosts to look at.
  freshness: (a, b) => a.lastSeen - b.lastSeen || byName(a, b),
  incidents: descending((t) => t.openIncidents),
};

/** The tiles to draw: those whose host name contains `search` (any case), in `order`. */
export function visibleTiles(tiles: Iterable<HostTile>, search: string, order: TileOrder): HostTile[] {
  const needle = search.trim().toLowerCase();
  const out = [...tiles].filter((t) => !needle || t.host.toLowerCase().includes(needle));
  return out.sort(ORDERS[order]);
}
