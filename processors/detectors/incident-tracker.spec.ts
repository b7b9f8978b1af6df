import type { Anomaly } from '../../schemas';
import { IncidentTracker, OpenIncident, SeriesRef } from './incident-tracker';

const series = (host: string, metric = 'system.cpu.utilization'): SeriesRef => ({
  key: `${host}|${metric}`,
  host,
  metric,
  unit: '1',
  attributes: {},
});
const scored = (t: number, score: number, ongoing = false) => ({
  t,
  x: score,
  score,
  ongoing,
  detector: 'spike',
  expected: 0.3,
  lower: 0.2,
  upper: 0.4,
  reason: () => `reason at ${t}`,
});

function feed(tracker: IncidentTracker, s: SeriesRef, scores: number[], t0 = 0) {
  let open: OpenIncident | undefined;
  const emitted = [];
  for (let i = 0; i < scores.length; i++) {
    const r = tracker.step(s, open, scored(t0 + i * 1000, scores[i]!));
    open = r.open;
    if (r.emit) emitted.push(r.emit);
  }
  return { open, emitted };
}

describe('incident tracker', () => {
  it('turns consecutive anomalous samples into one incident that opens, escalates and closes', () => {
    const { emitted, open } = feed(
      new IncidentTracker(),
      series('a'),
      [0.1, 0.6, 0.7, 0.2, 0.95, 0.6, 0.1, 0.2, 0.1, 0.1],
    );
    expect(open).toBeUndefined();
    expect(emitted.map((e) => [e.status, e.severity, e.version])).toEqual([
      ['open', 'warning', 1],
      ['open', 'critical', 2],
      ['closed', 'critical', 3],
    ]);
    expect(new Set(emitted.map((e) => e.id)).size).toBe(1);
    const closed = emitted[2]!;
    expect(closed).toMatchObject({ started_at: 1000, ended_at: 8000, score: 0.95, ts: 4000, samples: 4 });
  });

  it('stays quiet below the open score', () => {
    expect(feed(new IncidentTracker(), series('a'), [0.1, 0.4, 0.45, 0.2]).emitted).toHaveLength(0);
  });

  it('groups incidents on the same host at the same time, not across hosts', () => {
    const tracker = new IncidentTracker({ groupWindowMs: 60_000 });
    const cpu = feed(tracker, series('a'), [0.9, 0.9, 0.1, 0.1, 0.1]).emitted[0]!;
    const mem = feed(tracker, series('a', 'system.memory.utilization'), [0.9, 0.1, 0.1, 0.1], 1500)
      .emitted[0]!;
    const other = feed(tracker, series('b'), [0.9], 1500).emitted[0]!;
    const later = feed(tracker, series('a', 'system.disk.io'), [0.9], 10_000_000).emitted[0]!;
    expect(mem.group_id).toBe(cpu.group_id);
    expect(other.group_id).not.toBe(cpu.group_id);
    expect(later.group_id).not.toBe(cpu.group_id);
  });

  it('forgets the least recent hosts past its limit, counting them', () => {
    const tracker = new IncidentTracker({ maxHosts: 2 });
    for (const h of ['a', 'b', 'c']) feed(tracker, series(h), [0.9]);
    expect(tracker.hostsForgotten).toBe(1);
  });
});

describe('incident tracker with onset alarms', () => {
  it('opens at the alarm, stays open while the anomaly goes on at score 0, and closes once it is over', () => {
    const tracker = new IncidentTracker();
    const s = series('a');
    let open: OpenIncident | undefined;
    const emitted: Anomaly[] = [];
    const steps: Array<[number, boolean]> = [
      [0.8, true],
      ...Array.from({ length: 20 }, (): [number, boolean] => [0, true]),
      [0, false],
      [0, false],
      [0, false],
    ];
    steps.forEach(([score, ongoing], i) => {
      const r = tracker.step(s, open, scored(i * 1000, score, ongoing));
      open = r.open;
      if (r.emit) emitted.push(r.emit);
    });
    expect(emitted.map((e) => [e.status, e.started_at, e.ended_at, e.samples])).toEqual([
      ['open', 0, null, 1],
      ['closed', 0, 23_000, 21],
    ]);
  });
});
