import { firstValueFrom, from, map, toArray } from 'rxjs';
import type { Assignment } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import { batchOf, sample } from './__fixtures__/batches';
import type { Batch } from './batch';
import { readOnce } from './read-once';

const samples = (n: number) =>
  Array.from({ length: n }, (_, i) => sample({ event_id: `h:1:${i}`, ts: i * 1000 }));

/** An assignment whose owned partitions and version the test moves. */
function assignment(owned: number[]) {
  const a = { version: 1, owned: new Set(owned) };
  const view: Assignment = {
    get version() {
      return a.version;
    },
    owns: (_t, p) => a.owned.has(p),
  };
  return {
    view,
    join: (next: number[]) => {
      a.owned = new Set(next);
      a.version++;
    },
  };
}

const offsets = (b: Batch<MetricSample>) => b.records.map((r) => Number(r.source.offset));

describe('readOnce', () => {
  it('drops what a partition kept across a join sends again from its floor, counting it', async () => {
    const { view, join } = assignment([0, 1]);
    const stage = readOnce<MetricSample, never>(view);
    const all = samples(10);
    const batches = [
      () => batchOf(all.slice(0, 6), 0, 0),
      () => batchOf(all.slice(0, 3), 1, 0),
      () => (join([0, 1]), batchOf(all, 0, 0)), // kept: read again from offset 0
      () => batchOf(all.slice(2, 4), 1, 2),
    ];
    const out = await firstValueFrom(
      from(batches).pipe(
        map((b) => b()), // each made (and the join made) as the stage is ready for it
        stage,
        toArray(),
      ),
    );
    expect(out.map((e) => offsets(e.payload))).toEqual([[0, 1, 2, 3, 4, 5], [0, 1, 2], [6, 7, 8, 9], [3]]);
    expect(out.map((e) => e.payload.stats.reread)).toEqual([0, 0, 6, 1]);
    expect(out[2]!.payload.partition).toBe(0); // its ack still names the partition's floor
  });

  it('takes a partition in afresh once it was lost, even when it comes back', async () => {
    const { view, join } = assignment([0]);
    const stage = readOnce<MetricSample, never>(view);
    const all = samples(4);
    const batches = [
      () => batchOf(all, 0, 0),
      () => (join([1]), batchOf(all.slice(0, 2), 0, 4)), // fetched before it was lost, taken after
      () => (join([0, 1]), batchOf(all, 0, 0)), // back: its windows were dropped, so all counts again
    ];
    const out = await firstValueFrom(
      from(batches).pipe(
        map((b) => b()), // each made (and the join made) as the stage is ready for it
        stage,
        toArray(),
      ),
    );
    expect(out.map((e) => offsets(e.payload))).toEqual([
      [0, 1, 2, 3],
      [4, 5],
      [0, 1, 2, 3],
    ]);
  });

  it('passes a batch with nothing read before as it is', async () => {
    const stage = readOnce<MetricSample, never>();
    const env = batchOf(samples(3), 0, 0);
    expect(await firstValueFrom(from([env]).pipe(stage))).toBe(env);
  });
});
