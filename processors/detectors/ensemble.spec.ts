import { seeded } from '../../bench/detect/random';
import { DEFAULT_DETECTORS, SeriesDetector } from './ensemble';
import { decodeState, encodeState } from './state-codec';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 0, 5);

function run(values: number[], intervalMs = MINUTE, detector = new SeriesDetector()) {
  return values.map((x, i) => detector.step(T0 + i * intervalMs, x).score);
}

const firstAlarm = (scores: number[], from: number) =>
  scores.findIndex((s, i) => i >= from && s >= 0.5) - from;

describe('the default ensemble', () => {
  it('gives no score while it learns the baseline', () => {
    const r = seeded(1);
    const scores = run(Array.from({ length: 60 }, (_, i) => (i === 20 ? 1000 : r.normal())));
    expect(scores.slice(0, 50).every((s) => s === 0)).toBe(true);
  });

  it('catches a step within a few samples', () => {
    const r = seeded(2);
    const values = Array.from({ length: 1500 }, (_, i) => 10 + r.normal() + (i >= 1000 ? 5 : 0));
    const scores = run(values);
    expect(scores.slice(100, 1000).filter((s) => s >= 0.5)).toHaveLength(0);
    const delay = firstAlarm(scores, 1000);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(5);
  });

  it('does not flag a noise spike on a series that spikes like that all the time', () => {
    const r = seeded(3);
    const spiky = () => 0.2 + 0.02 * r.normal() + (r.next() < 0.02 ? r.between(0.1, 0.25) : 0);
    const values = Array.from({ length: 4000 }, spiky);
    values[3500] = 0.2 + 0.2; // one more spike of the usual size
    const scores = run(values, 5000);
    expect(scores[3500]).toBeLessThan(0.5);
  });

  it('does flag the same spike on a quiet series', () => {
    const r = seeded(3);
    const values = Array.from({ length: 4000 }, () => 0.2 + 0.02 * r.normal());
    values[3500] = 0.4;
    expect(run(values, 5000)[3500]).toBeGreaterThan(0.9);
  });

  it('reports a flatline of a series that always moves once, and knows it goes on', () => {
    const r = seeded(4);
    const values = Array.from({ length: 1100 }, (_, i) => (i < 1000 ? 0.5 + 0.05 * r.normal() : 0.4321));
    const d = new SeriesDetector();
    const verdicts = values.map((x, i) => ({ ...d.step(T0 + i * 15_000, x) }));
    const scores = verdicts.map((v) => v.score);
    const delay = firstAlarm(scores, 1000);
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(15);
    expect(verdicts[1000 + delay]!.detector).toBe('flatline');
    // one alarm (a few stronger ones right at the onset at most), then silence while it stays stuck…
    expect(scores.slice(1000 + delay + 10).every((s) => s === 0)).toBe(true);
    // …and the episode is known to go on, for the incident to stay open
    expect(verdicts.slice(1000 + delay).every((v) => v.ongoing)).toBe(true);
  });

  it('reports a lasting change of level once, then watches the new level', () => {
    const r = seeded(9);
    const values = Array.from({ length: 2000 }, (_, i) => 10 + r.normal() + (i >= 1000 ? 8 : 0));
    values[1600] = 18 + 9; // a spike on the new level
    const scores = run(values);
    const alarms = scores.flatMap((s, i) => (s >= 0.5 ? [i] : []));
    expect(alarms.filter((i) => i < 1600).every((i) => i >= 1000 && i < 1010)).toBe(true);
    expect(alarms.filter((i) => i < 1600).length).toBeGreaterThan(0);
    expect(alarms.filter((i) => i > 1600)).toEqual([]);
    // after the change, the strongest alarm by far is the spike (weighed down by the jump the
    // series made at the change, which its calibration learned, and by the alarms before)
    const after = scores.slice(1020);
    expect(after.indexOf(Math.max(...after)) + 1020).toBe(1600);
    expect(scores[1600]).toBeGreaterThan(0.1);
    expect(after.filter((s, i) => i + 1020 !== 1600 && s > 0.1)).toEqual([]);
  });

  it('does not flag a series that often sits still', () => {
    const r = seeded(5);
    let v = 3;
    const values = Array.from({ length: 3000 }, () =>
      r.next() < 0.1 ? (v = Math.round(3 + 2 * r.normal())) : v,
    );
    const scores = run(values);
    expect(scores.filter((s) => s >= 0.5).length).toBeLessThanOrEqual(2);
  });

  it('does not alarm at the daily peak of a seasonal series', () => {
    const r = seeded(6);
    const interval = 5 * MINUTE;
    const perDay = 288;
    const values = Array.from(
      { length: 8 * perDay },
      (_, i) => 0.3 + 0.25 * Math.sin((2 * Math.PI * i) / perDay) + 0.02 * r.normal(),
    );
    const scores = run(values, interval);
    const lateDays = scores.slice(4 * perDay);
    expect(lateDays.filter((s) => s >= 0.5)).toHaveLength(0);
    // …while a peak twice as high is caught
    const high = [...values];
    high[7 * perDay + 72] = 0.3 + 0.5;
    expect(run(high, interval)[7 * perDay + 72]).toBeGreaterThanOrEqual(0.5);
  });

  it('is deterministic, and a restored state scores exactly like the original', () => {
    const r = seeded(7);
    const values = Array.from({ length: 800 }, () => 5 + r.normal());
    const a = new SeriesDetector();
    values.slice(0, 400).forEach((x, i) => a.step(T0 + i * MINUTE, x));
    const restored = new SeriesDetector({}, decodeState(encodeState(a.save()!), DEFAULT_DETECTORS.length));
    const rest = values.slice(400);
    const fromA = rest.map((x, i) => a.step(T0 + (400 + i) * MINUTE, x).score);
    const fromB = rest.map((x, i) => restored.step(T0 + (400 + i) * MINUTE, x).score);
    expect(fromB).toEqual(fromA);
    expect(run(values)).toEqual(run(values));
  });

  it('does not read a state saved in another version or for other detectors (the series starts afresh)', () => {
    const d = new SeriesDetector();
    for (let i = 0; i < 100; i++) d.step(T0 + i * MINUTE, i % 7);
    const text = encodeState(d.save()!);
    expect(decodeState(text, DEFAULT_DETECTORS.length)).toBeDefined();
    expect(decodeState(text.replace('"v":2', '"v":1'), DEFAULT_DETECTORS.length)).toBeUndefined();
    expect(decodeState(text, DEFAULT_DETECTORS.length + 1)).toBeUndefined();
    expect(decodeState('{"v":2', DEFAULT_DETECTORS.length)).toBeUndefined();
  });

  it('explains a finding in plain words', () => {
    const r = seeded(8);
    const d = new SeriesDetector();
    for (let i = 0; i < 500; i++) d.step(T0 + i * MINUTE, 0.3 + 0.02 * r.normal());
    const v = d.step(T0 + 500 * MINUTE, 0.97);
    expect(['spike', 'range']).toContain(v.detector);
    expect(d.reason('CPU utilization')).toMatch(
      /^CPU utilization 0\.97 is far above its usual 0\.2\d+–0\.3\d+(, above anything it did lately \(at most 0\.3\d+\))?$/,
    );
  });

  it('rejects an unknown detector name', () => {
    expect(() => new SeriesDetector({ detectors: ['magic'] })).toThrow(
      /unknown detector "magic"; known: range, spike/,
    );
  });
});
