import { firstValueFrom, of, type SchedulerLike } from 'rxjs';
import { seeded } from '../../bench/detect/random';
import type { Envelope } from '../../core/stream';
import { parseRule } from '../../processors/detectors';
import type { Assignment } from '../../core/stream';
import {
  DetectionWorker,
  InThreadDetection,
  type Detection,
  type DetectionSetup,
} from '../../processors/detection';
import type { Batch } from '../../processors/stages';
import { batchOf, movableAssignment, sample } from '../../processors/stages/__fixtures__/batches';
import type { Anomaly, MetricSample } from '../../schemas';

const MINUTE = 60_000;

/** Three hosts on partitions 0–2, a batch of an hour each in turn: calm CPU a minute apart, with spikes and a rule that fires. */
function batches(): Envelope<Batch<MetricSample>>[] {
  const r = seeded(5);
  const out: Envelope<Batch<MetricSample>>[] = [];
  for (let round = 0; round < 8; round++)
    for (let h = 0; h < 3; h++) {
      const samples = Array.from({ length: 60 }, (_, k) => {
        const i = round * 60 + k;
        // A lone spike now and then; hot for the last ten minutes of round 3 (a rule's incident
        // still open when the round ends).
        const value = i % 97 === 96 ? 0.97 : i >= 230 && i < 240 ? 0.95 : 0.3 + 0.02 * r.normal();
        return sample({ event_id: `h${h}:1:${i}`, host: `h${h}`, ts: i * MINUTE, value });
      });
      out.push(batchOf(samples, h, round * 60));
    }
  return out;
}

const setup: DetectionSetup = {
  maxSeries: 100,
  ensemble: {},
  rules: [parseRule('system.cpu.utilization > 0.9 for 5m')],
  detect: { staleAfterMs: 30 * MINUTE },
};

const scheduler = (now: () => number) =>
  ({ now, schedule: () => ({ unsubscribe: () => undefined }) }) as unknown as SchedulerLike;

/**
 * Runs `envs` one by one through `detection`'s stage (at virtual times a minute apart) and
 * collects what each found: its incidents in the batch, and those asked for by its ticket.
 */
async function found(
  envs: Envelope<Batch<MetricSample>>[],
  detection: Detection,
  assignment: Assignment,
  onBatch: (i: number) => void = () => undefined,
): Promise<Anomaly[][]> {
  let clock = 0;
  const run = detection.stage(
    assignment,
    scheduler(() => clock),
  );
  const out: Anomaly[][] = [];
  for (let i = 0; i < envs.length; i++) {
    onBatch(i);
    clock = i * MINUTE;
    const env = await firstValueFrom(of(envs[i]!).pipe(run));
    const ticket = env.payload.detection;
    const detected = await detection.results(ticket === undefined ? [] : [ticket]);
    out.push([...env.payload.anomalies, ...detected.anomalies]);
  }
  return out;
}

describe('anomaly detection on its own thread', () => {
  it('publishes the incidents the stage publishes in this thread, batch for batch, across a rebalance', async () => {
    const here = movableAssignment([0, 1, 2]);
    const there = movableAssignment([0, 1, 2]);
    const inThread = new InThreadDetection(setup.maxSeries, setup.ensemble, setup.rules, setup.detect);
    const worker = new DetectionWorker(setup);
    try {
      // Partition 1 moves away after round 3 (batch 12 is round 4's first): its open incident closes, handed over.
      const expected = await found(
        batches(),
        inThread,
        here.assignment,
        (i) => i === 12 && here.rebalance([0, 2])(),
      );
      const actual = await found(
        batches(),
        worker,
        there.assignment,
        (i) => i === 12 && there.rebalance([0, 2])(),
      );
      const all = expected.flat();
      expect(all.some((a) => !a.detector.startsWith('rule:') && a.status === 'open')).toBe(true); // a learned detector's
      expect(all.some((a) => a.detector.startsWith('rule:'))).toBe(true);
      expect(all.some((a) => /moved to another processor/.test(a.reason))).toBe(true);
      expect(actual).toEqual(expected);
    } finally {
      await worker.close();
    }
  });

  it('gives its baselines to the store and takes them back', async () => {
    const first = new DetectionWorker(setup);
    const second = new DetectionWorker(setup);
    try {
      await found(batches().slice(0, 6), first, movableAssignment([0, 1, 2]).assignment);
      // Encoded on the thread for their insert: TabSeparated lines, each state its slab bytes as text.
      const taken = await first.takeDirty(undefined, 1234);
      const rows = Buffer.from(taken.bytes)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t'))
        .map(([series, host, state, at]) => ({ series: series!, host: host!, state: state!, at }));
      expect(taken.count).toBe(3);
      expect(rows.map((r) => r.host).sort()).toEqual(['h0', 'h1', 'h2']);
      expect(rows.every((r) => r.at === '1970-01-01 00:00:01.234' && r.state.startsWith('b1:'))).toBe(true);
      await first.settle(false); // a failed save gives them back
      expect((await first.takeDirty(undefined, 1235)).count).toBe(3);
      await first.settle(true);
      expect((await first.takeDirty(undefined, 1236)).count).toBe(0); // saved: no longer changed
      await first.settle(true);
      const restored = rows.map((r) => ({ series: r.series, host: r.host, state: r.state }));
      expect(await second.restore(restored)).toBe(3);
    } finally {
      await Promise.all([first.close(), second.close()]);
      await first.close(); // twice is safe
    }
  });

  it('fails what waits on it once closed, with a message that says so', async () => {
    const worker = new DetectionWorker(setup);
    await worker.close();
    const env = await firstValueFrom(
      worker.stage(movableAssignment([0]).assignment)(of(batchOf([sample()]))),
    );
    await expect(worker.results([env.payload.detection!])).rejects.toThrow('anomaly detection is closed');
    await expect(worker.takeDirty(undefined, 0)).rejects.toThrow('anomaly detection is closed');
  });
});
