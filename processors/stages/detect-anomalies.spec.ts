import { firstValueFrom, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { seeded } from '../../bench/detect/random';
import { batchOf, movableAssignment, sample } from './__fixtures__/batches';
import { detectAnomalies } from './detect-anomalies';
import { DetectorStore } from './detector-store';
import { parseRule } from '../detectors';

const MINUTE = 60_000;
const r = seeded(21);
/** 300 calm CPU samples of host h, a minute apart, then a spike. */
const calm = Array.from({ length: 300 }, (_, i) =>
  sample({ event_id: `h:1:${i}`, ts: i * MINUTE, value: 0.3 + 0.02 * r.normal() }),
);
const spike = sample({ event_id: 'h:1:300', ts: 300 * MINUTE, value: 0.97 });
const anomalies = (list: object[]) =>
  expect.objectContaining({ payload: expect.objectContaining({ anomalies: list }) });

describe('detect-anomalies stage', () => {
  it('opens an incident at a spike and closes it when its series goes quiet (virtual time), then tears down', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(
      ({ cold, expectObservable, expectSubscriptions }) => {
        const store = new DetectorStore(100);
        const source = cold('a b 5m c|', { a: batchOf(calm), b: batchOf([spike]), c: batchOf([]) });
        expectObservable(source.pipe(detectAnomalies(store, { staleAfterMs: 4 * MINUTE }))).toBe(
          'a b 5m c|',
          {
            a: anomalies([]),
            b: anomalies([
              expect.objectContaining({
                status: 'open',
                host: 'h',
                severity: 'critical',
                detector: expect.stringMatching(/^(spike|range)$/),
                value: 0.97,
                started_at: 300 * MINUTE,
                reason: expect.stringMatching(/^CPU utilization 0\.97 is far above its usual/),
              }),
            ]),
            c: anomalies([
              expect.objectContaining({
                status: 'closed',
                version: 2,
                ended_at: 300 * MINUTE,
                reason: expect.stringMatching(/the series stopped reporting$/),
              }),
            ]),
          },
        );
        expectSubscriptions(source.subscriptions).toBe('^ 300002ms !');
      },
    );
  });

  it('reports a lasting change of level as one incident that stays open until the new level is learned', async () => {
    const shifted = Array.from({ length: 200 }, (_, i) =>
      sample({ event_id: `h:1:${300 + i}`, ts: (300 + i) * MINUTE, value: 0.6 + 0.02 * r.normal() }),
    );
    const store = new DetectorStore(100);
    const stage = detectAnomalies(store);
    await firstValueFrom(of(batchOf(calm)).pipe(stage));
    const found = (await firstValueFrom(of(batchOf(shifted)).pipe(stage))).payload.anomalies;
    expect(found.map((a) => a.status)).toEqual(['open', 'closed']);
    expect(new Set(found.map((a) => a.id)).size).toBe(1);
    const closed = found[1]!;
    expect(closed.started_at).toBe(300 * MINUTE);
    // open while the samples were strange (until the baseline re-centred on the new level)…
    expect(closed.samples).toBeGreaterThanOrEqual(10);
    // …and closed soon after: the rest of the new level is normal
    expect(closed.ended_at!).toBeGreaterThanOrEqual(315 * MINUTE);
    expect(closed.ended_at!).toBeLessThan(400 * MINUTE);
  });

  it('fires a user rule after its duration, even on a series still warming up', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const store = new DetectorStore(100, {}, [parseRule('system.cpu.utilization > 0.9 for 2m')]);
      const hot = [0, 1, 2, 3].map((i) => sample({ event_id: `h:1:${i}`, ts: i * MINUTE, value: 0.95 }));
      expectObservable(cold('a|', { a: batchOf(hot) }).pipe(detectAnomalies(store))).toBe('a|', {
        a: anomalies([
          expect.objectContaining({
            status: 'open',
            started_at: 2 * MINUTE,
            detector: 'rule:system.cpu.utilization > 0.9 for 2m',
            reason:
              'CPU utilization 0.95 is above 0.9 for at least 2m (rule "system.cpu.utilization > 0.9 for 2m")',
          }),
        ]),
      });
    });
  });

  it('keeps at most maxSeries detectors, counting what it drops', () => {
    const store = new DetectorStore(2);
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const three = ['a', 'b', 'c'].map((host) => sample({ host, event_id: `${host}:1:0` }));
      expectObservable(cold('a|', { a: batchOf(three) }).pipe(detectAnomalies(store))).toBe('a|', {
        a: expect.objectContaining({
          payload: expect.objectContaining({ stats: expect.objectContaining({ detectorSeriesEvicted: 1 }) }),
        }),
      });
    });
    expect(store.entries.size).toBe(2);
  });

  it('passes batches through untouched when disabled', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      const a = batchOf([...calm, spike]);
      expectObservable(
        cold('a|', { a }).pipe(detectAnomalies(new DetectorStore(10), { enabled: false })),
      ).toBe('a|', {
        a,
      });
    });
  });

  it('continues a restored baseline instead of starting cold', () => {
    const first = new DetectorStore(10);
    const second = new DetectorStore(10);
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: batchOf(calm) }).pipe(detectAnomalies(first))).toBe('a|', {
        a: anomalies([]),
      });
    });
    expect(second.restore(first.takeDirty())).toBe(1);
    expect(first.takeDirty()).toEqual([]); // nothing new since the snapshot
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      // The spike is the restored series' first sample here: a cold detector would be warming up.
      expectObservable(cold('b|', { b: batchOf([spike]) }).pipe(detectAnomalies(second))).toBe('b|', {
        b: anomalies([expect.objectContaining({ status: 'open' })]),
      });
    });
  });
});

describe('detect-anomalies stage across a rebalance', () => {
  it('closes the incidents of a revoked partition’s series, releases their state for saving, and skips in-flight records', () => {
    const { assignment, rebalance } = movableAssignment([0]);
    const store = new DetectorStore(100);
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable }) => {
      cold('--- a', { a: 0 }).subscribe(rebalance([1]));
      const after = sample({ event_id: 'h:1:301', ts: 301 * MINUTE, value: 0.3 });
      const src = cold('a b -- c|', { a: batchOf(calm), b: batchOf([spike]), c: batchOf([after]) });
      expectObservable(src.pipe(detectAnomalies(store, { assignment }))).toBe('a b -- c|', {
        a: anomalies([]),
        b: anomalies([expect.objectContaining({ status: 'open' })]),
        c: anomalies([
          expect.objectContaining({
            status: 'closed',
            reason: expect.stringMatching(/the series moved to another processor$/),
          }),
        ]),
      });
    });
    expect(store.entries.size).toBe(0);
    expect(store.takeDirty().map((s) => s.host)).toEqual(['h']);
  });
});
