import type { Anomaly } from '../../schemas';

/**
 * Turns scores into incidents. A score is an alarm at an anomaly's onset: it opens an incident,
 * which stays open while the anomaly goes on (the detector says the samples are still strange,
 * `ongoing`, or a rule still fires), may turn critical when a stronger alarm follows, and closes
 * after a few calm samples (hysteresis), so an operator sees one alert instead of a flood. Incidents on the same host that overlap or
 * follow within `groupWindowMs` share a `group_id`. Every state change returns the record to
 * publish; the same id with a higher version supersedes the earlier one.
 */
export interface IncidentOptions {
  /** Score that opens an incident. */
  openAt: number;
  /** Score from which an open incident is critical. */
  criticalAt: number;
  /** An open incident closes after `closeAfter` samples in a row below this score that are no longer strange. */
  closeBelow: number;
  closeAfter: number;
  groupWindowMs: number;
  /** Hosts remembered for grouping; past it the least recent are forgotten. */
  maxHosts: number;
}

export const DEFAULT_INCIDENTS: IncidentOptions = {
  openAt: 0.5,
  criticalAt: 0.9,
  closeBelow: 0.3,
  closeAfter: 3,
  groupWindowMs: 120_000,
  maxHosts: 50_000,
};

export interface SeriesRef {
  /** Stable series identity (host + metric + attributes). */
  key: string;
  host: string;
  metric: string;
  unit: string;
  attributes: Record<string, string>;
}

export interface Scored {
  t: number;
  x: number;
  score: number;
  detector: string;
  expected: number;
  lower: number;
  upper: number;
  /** The anomaly is still going on (the samples are still strange), whatever the score. */
  ongoing: boolean;
  /** Called only when the reason is needed. */
  reason: () => string;
}

/** Per-series incident state (undefined while calm). */
export interface OpenIncident {
  record: Anomaly;
  calm: number;
}

interface HostGroup {
  groupId: string;
  open: number;
  lastAt: number;
}

function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export class IncidentTracker {
  private readonly o: IncidentOptions;
  private readonly hosts = new Map<string, HostGroup>();
  hostsForgotten = 0;

  constructor(options: Partial<IncidentOptions> = {}) {
    this.o = { ...DEFAULT_INCIDENTS, ...options };
  }

  /** Score that opens an incident: below it, a calm series needs no `step` (the hot path). */
  get openAt(): number {
    return this.o.openAt;
  }

  /** Advances one series by one scored sample; returns a record when the incident changes state. */
  step(
    series: SeriesRef,
    open: OpenIncident | undefined,
    s: Scored,
  ): { open: OpenIncident | undefined; emit?: Anomaly } {
    const o = this.o;
    if (!open) {
      if (s.score < o.openAt) return { open: undefined };
      const record: Anomaly = {
        id: `${hash(series.key)}-${s.t}`,
        group_id: '',
        status: 'open',
        version: 1,
        host: series.host,
        metric: series.metric,
        unit: series.unit,
        attributes: series.attributes,
        ts: s.t,
        started_at: s.t,
        ended_at: null,
        value: s.x,
        expected: s.expected,
        lower: s.lower,
        upper: s.upper,
        score: s.score,
        severity: s.score >= o.criticalAt ? 'critical' : 'warning',
        detector: s.detector,
        reason: s.reason(),
        samples: 1,
      };
      record.group_id = this.join(series.host, record.id, s.t);
      return { open: { record, calm: 0 }, emit: { ...record } };
    }
    const r = open.record;
    const active = s.ongoing || s.score >= o.closeBelow;
    if (active) open.calm = 0;
    else open.calm++;
    if (active) r.samples++;
    if (open.calm >= o.closeAfter) {
      this.leave(series.host, s.t);
      return { open: undefined, emit: { ...r, status: 'closed', ended_at: s.t, version: r.version + 1 } };
    }
    if (s.score > r.score) {
      const escalates = r.severity === 'warning' && s.score >= o.criticalAt;
      Object.assign(r, {
        ts: s.t,
        value: s.x,
        expected: s.expected,
        lower: s.lower,
        upper: s.upper,
        score: s.score,
        detector: s.detector,
      });
      if (escalates) {
        r.severity = 'critical';
        r.reason = s.reason();
        r.version++;
        return { open, emit: { ...r } };
      }
    }
    return { open };
  }

  /** Closes an incident whose series stopped reporting. */
  close(open: OpenIncident, at: number, why: string): Anomaly {
    const r = open.record;
    this.leave(r.host, at);
    return { ...r, status: 'closed', ended_at: at, version: r.version + 1, reason: `${r.reason}; ${why}` };
  }

  private join(host: string, id: string, t: number): string {
    const g = this.hosts.get(host);
    if (g && (g.open > 0 || t - g.lastAt <= this.o.groupWindowMs)) {
      g.open++;
      g.lastAt = Math.max(g.lastAt, t);
      return g.groupId;
    }
    this.hosts.delete(host);
    this.hosts.set(host, { groupId: id, open: 1, lastAt: t });
    while (this.hosts.size > this.o.maxHosts) {
      this.hosts.delete(this.hosts.keys().next().value as string);
      this.hostsForgotten++;
    }
    return id;
  }

  private leave(host: string, t: number): void {
    const g = this.hosts.get(host);
    if (!g) return;
    g.open = Math.max(0, g.open - 1);
    g.lastAt = Math.max(g.lastAt, t);
  }
}
