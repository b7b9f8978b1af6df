/** An incident as the gateway sends it (the fields the list shows). */
export interface Incident {
  id: string;
  status: 'open' | 'closed';
  version: number;
  host: string;
  metric: string;
  started_at: number;
  ended_at: number | null;
  score: number;
  severity: 'warning' | 'critical';
  reason: string;
}

/**
 * The latest state of each incident, at most `limit` of them (the oldest started are dropped
 * first), ordered for display: open before closed, newest first.
 */
export class IncidentList {
  private readonly byId = new Map<string, Incident>();

  constructor(private readonly limit: number) {}

  /** Merges states; a lower version never replaces a higher one. Returns whether anything changed. */
  merge(incidents: readonly Incident[]): boolean {
    let changed = false;
    for (const a of incidents) {
      const known = this.byId.get(a.id);
      if (known && known.version >= a.version) continue;
      this.byId.set(a.id, a);
      changed = true;
    }
    if (this.byId.size > this.limit) {
      const oldest = [...this.byId.values()].sort((x, y) => x.started_at - y.started_at);
      for (const a of oldest.slice(0, this.byId.size - this.limit)) this.byId.delete(a.id);
    }
    return changed;
  }

  get open(): number {
    let n = 0;
    for (const a of this.byId.values()) if (a.status === 'open') n++;
    return n;
  }

  ordered(): Incident[] {
    return [...this.byId.values()].sort((x, y) =>
      x.status === y.status ? y.started_at - x.started_at : x.status === 'open' ? -1 : 1,
    );
  }
}

export interface IncidentFilter {
  status: 'all' | 'open' | 'closed';
  severity: 'all' | 'warning' | 'critical';
  /** Matched, case-insensitively, against host, metric and reason. */
  text: string;
}

export function filterIncidents(incidents: readonly Incident[], f: IncidentFilter): Incident[] {
  const text = f.text.trim().toLowerCase();
  return incidents.filter(
    (a) =>
      (f.status === 'all' || a.status === f.status) &&
      (f.severity === 'all' || a.severity === f.severity) &&
      (!text || `${a.host} ${a.metric} ${a.reason}`.toLowerCase().includes(text)),
  );
}

/** The incidents to mark on a chart of `host` showing `metrics` between `fromMs` and `toMs`. */
export function markersFor(
  incidents: readonly Incident[],
  host: string,
  metrics: (metric: string) => boolean,
  fromMs: number,
  toMs: number,
): Incident[] {
  return incidents.filter(
    (a) =>
      a.host === host &&
      metrics(a.metric) &&
      a.started_at <= toMs &&
      (a.ended_at ?? Number.POSITIVE_INFINITY) >= fromMs,
  );
}
