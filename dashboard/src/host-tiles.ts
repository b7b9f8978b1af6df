/** What one overview tile shows about a host. */
export interface HostTile {
  host: string;
  /** Event time of the host's latest headline sample (ms). */
  lastSeen: number;
  /** Latest CPU and memory utilization, 0–1. */
  cpu?: number;
  memory?: number;
  openIncidents: number;
  /** The host's labels (agent.labels: env, region…), from /api/hosts. */
  labels?: Readonly<Record<string, string>>;
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

/** One word of the search: in the host name (any case), or `name:value` a label of the host has. */
function matches(t: HostTile, word: string): boolean {
  if (t.host.toLowerCase().includes(word)) return true;
  const at = word.indexOf(':');
  if (at <= 0 || !t.labels) return false;
  const name = word.slice(0, at);
  const value = word.slice(at + 1);
  return Object.entries(t.labels).some(([k, v]) => k.toLowerCase() === name && v.toLowerCase() === value);
}

/**
 * The tiles to draw, in `order`: those that match every word of `search`, a part of the host
 * name or a label as `name:value` (`env:prod region:eu-1`), any case.
 */
export function visibleTiles(tiles: Iterable<HostTile>, search: string, order: TileOrder): HostTile[] {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const out = [...tiles].filter((t) => words.every((w) => matches(t, w)));
  return out.sort(ORDERS[order]);
}
