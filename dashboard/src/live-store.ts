import { IncidentList } from './incident-list';
import { SeriesBuffer } from './series-buffer';
import { seriesLabel } from './series-label';

export interface Sample {
  host: string;
  ts: number;
  metric: string;
  value: number;
  attributes: Record<string, string>;
}

export const HEADLINE = {
  cpu: 'system.cpu.utilization',
  memory: 'system.memory.utilization',
} as const;

const WINDOW_MS = 60 * 60_000;
const HEADLINE_POINTS = 720;
const DETAIL_POINTS = 1500;
export const MAX_HOSTS = 500;
const MAX_DETAIL_SERIES = 200;

const isHeadline = (s: Sample) =>
  (s.metric === HEADLINE.cpu && Object.keys(s.attributes).length === 0) ||
  (s.metric === HEADLINE.memory && s.attributes['system.memory.state'] === 'used');

/**
 * What the dashboard holds from the live stream, all bounded: every host's CPU and memory (at
 * most MAX_HOSTS hosts, for the tiles), every series of the one host being looked at (at most
 * MAX_DETAIL_SERIES, for its charts; dropped when another host is focused), and the incidents.
 */
export class LiveStore {
  readonly headline = new Map<string, { cpu: SeriesBuffer; memory: SeriesBuffer }>();
  readonly incidents = new IncidentList(500);
  private focusHost = '';
  /** `${metric}\0${label}` → points of the focused host. */
  readonly detail = new Map<string, SeriesBuffer>();
  /** Samples not kept because a bound was reached (shown on the overview's host count). */
  overflow = 0;

  get focused(): string {
    return this.focusHost;
  }

  focus(host: string): void {
    if (host === this.focusHost) return;
    this.focusHost = host;
    this.detail.clear();
  }

  /** Adds samples; true when a host was seen for the first time. */
  add(samples: readonly Sample[]): boolean {
    let newHost = false;
    for (const s of samples) {
      if (s.host === this.focusHost) {
        const key = `${s.metric}\u0000${seriesLabel(s.attributes)}`;
        let buf = this.detail.get(key);
        if (!buf && this.detail.size < MAX_DETAIL_SERIES)
          this.detail.set(key, (buf = new SeriesBuffer(DETAIL_POINTS, WINDOW_MS)));
        if (buf) buf.push(s.ts, s.value);
        else this.overflow++;
      }
      if (!isHeadline(s)) continue;
      let h = this.headline.get(s.host);
      if (!h) {
        if (this.headline.size >= MAX_HOSTS) {
          this.overflow++;
          continue;
        }
        h = {
          cpu: new SeriesBuffer(HEADLINE_POINTS, WINDOW_MS),
          memory: new SeriesBuffer(HEADLINE_POINTS, WINDOW_MS),
        };
        this.headline.set(s.host, h);
        newHost = true;
      }
      (s.metric === HEADLINE.cpu ? h.cpu : h.memory).push(s.ts, s.value);
    }
    return newHost;
  }

  hosts(): string[] {
    return [...this.headline.keys()].sort();
  }
}
