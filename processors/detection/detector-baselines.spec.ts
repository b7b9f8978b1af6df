import type { ClickHouseClient } from '@clickhouse/client';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import type { StoredState } from '../stages';
import { detectorBaselines, type BaselineStore } from './detector-baselines';
import { encodeDetectorStates } from '../../sinks/clickhouse';

/** A store of `n` changed baselines handing them out, encoded, as `takeDirty` is asked. */
function storeOf(n: number) {
  let dirty: StoredState[] = Array.from({ length: n }, (_, i) => ({
    series: `s${i}`,
    host: 'h',
    state: 'x',
  }));
  let taken: StoredState[] = [];
  const store: BaselineStore & { taken: number[]; givenBack: string[]; settled: boolean[] } = {
    maxSeries: 100,
    taken: [],
    givenBack: [],
    settled: [],
    takeDirty(limit, now) {
      taken = dirty.slice(0, limit);
      dirty = dirty.slice(limit);
      store.taken.push(taken.length);
      return encodeDetectorStates(taken, now);
    },
    settle(saved) {
      store.settled.push(saved);
      if (!saved) {
        store.givenBack.push(...taken.map((r) => r.series));
        dirty = [...taken, ...dirty];
      }
      taken = [];
    },
    restore: () => 0,
  };
  return store;
}

/** A client whose inserts are recorded, the `failAt`-th one (1-based) refused. */
function clientOf(failAt?: number) {
  const inserts: number[] = [];
  let calls = 0;
  const client = {
    insert: async ({ values }: { values: AsyncIterable<Buffer> }) => {
      calls++;
      let lines = 0; // the rows an insert carries, encoded
      for await (const chunk of values) for (const byte of chunk) if (byte === 10) lines++;
      if (calls === failAt) throw new Error('refused');
      inserts.push(lines);
    },
  };
  return { client: client as unknown as ClickHouseClient, inserts };
}

const baselinesOf = (store: BaselineStore, client: ClickHouseClient) =>
  detectorBaselines({
    clickhouse: client,
    database: 'db',
    snapshotMs: 60_000,
    metrics: createMetrics(),
    logger: silentLogger,
    store,
    clock: () => 0,
    saveRows: 5,
  });

describe('detector baselines', () => {
  it('saves a snapshot a bounded number of baselines at a time, until none is left', async () => {
    const store = storeOf(12);
    const { client, inserts } = clientOf();
    await baselinesOf(store, client).stop();
    expect(inserts).toEqual([5, 5, 2]);
    expect(store.taken).toEqual([5, 5, 2]);
    expect(store.settled).toEqual([true, true, true]);
  });

  it('stops at a failed insert and gives back only that part, the rest staying changed', async () => {
    const store = storeOf(12);
    const { client, inserts } = clientOf(2);
    await baselinesOf(store, client).stop();
    expect(inserts).toEqual([5]);
    expect(store.givenBack).toEqual(['s5', 's6', 's7', 's8', 's9']);
    // the next snapshot saves what is left, the part given back first
    const again = clientOf();
    await baselinesOf(store, again.client).stop();
    expect(again.inserts).toEqual([5, 2]);
  });
});
