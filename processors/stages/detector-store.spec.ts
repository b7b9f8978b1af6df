import { encodeState } from '../detectors';
import { DetectorStore } from './detector-store';

const from = { topic: 't', partition: 0 };
const sample = (host: string) => ({ host, metric: 'm', unit: '1', attributes: {} });

describe('detector store', () => {
  it('evicts a series not seen lately before a busy one, and counts it', () => {
    const store = new DetectorStore(2);
    store.entry('a', sample('a'), from, 1);
    store.entry('b', sample('b'), from, 2);
    store.entry('a', sample('a'), from, 3); // a is busy; b is not
    store.entry('c', sample('c'), from, 4);
    expect([...store.entries.keys()].sort()).toEqual(['a', 'c']);
    expect(store.evicted).toBe(1);
  });

  it('keeps a series with an open incident over a quiet one', () => {
    const store = new DetectorStore(2);
    store.entry('a', sample('a'), from, 1);
    store.open.add('a');
    store.entry('b', sample('b'), from, 2);
    store.entry('c', sample('c'), from, 3);
    expect(store.entries.has('a')).toBe(true);
    expect(store.entries.size).toBe(2);
  });

  it('keeps states whose save failed for the next snapshot, released ones included', () => {
    const store = new DetectorStore(10);
    const e = store.entry('a', sample('a'), from, 1);
    e.detector.step(0, 1);
    const released = store.entry('b', sample('b'), { topic: 't', partition: 1 }, 1);
    released.detector.step(0, 1);
    store.release((_t, p) => p === 0);
    const first = store.takeDirty();
    expect(first.map((r) => r.series).sort()).toEqual(['a', 'b']);
    expect(store.takeDirty()).toEqual([]);
    store.unsaved(first);
    expect(
      store
        .takeDirty()
        .map((r) => r.series)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it("gives a series' state slot back when it is evicted or released, and keeps restored states in slots", () => {
    const store = new DetectorStore(3);
    for (let k = 0; k < 20; k++) store.entry(`s${k}`, sample(`h${k}`), from, k).detector.step(k, k);
    expect(store.slab.size).toBe(3);
    const saved = store.takeDirty();
    store.release(() => false);
    expect(store.slab.size).toBe(0);
    expect(store.restore(saved)).toBe(3);
    expect(store.slab.size).toBe(3);
    const back = store.entry(saved[0]!.series, sample('h'), from, 30);
    expect(back.detector.learned).toBe(true);
    expect(store.slab.size).toBe(3);
    expect(store.takeDirty(1)[0]!.state).toBe(saved[0]!.state);
  });

  it('takes back the slot of a series evicted as it was made, once it is scored', () => {
    const store = new DetectorStore(2);
    const score = (key: string, t: number) => {
      const e = store.entry(key, sample(key), from, t);
      e.detector.step(t, t);
      store.done(e);
    };
    score('a', 0);
    score('b', 1);
    for (let t = 2; t < 50; t += 3) {
      score('a', t);
      score('b', t + 1);
      score(`new${t}`, t + 2); // a and b were seen again: the new series goes first
      expect(store.entries.has(`new${t}`)).toBe(false);
    }
    expect(store.evicted).toBe(16);
    expect(store.slab.size).toBe(2);
  });

  it('scores a restored series that is evicted as it arrives from its restored state', () => {
    const trained = new DetectorStore(4);
    const t = trained.entry('r', sample('r'), from, 0);
    for (let i = 0; i < 200; i++) t.detector.step(i * 60_000, 1 + (i % 3) * 0.01);
    const store = new DetectorStore(1);
    store.entry('a', sample('a'), from, 0).detector.step(0, 0);
    store.entry('a', sample('a'), from, 1); // seen again: the next new series goes first
    expect(store.restore(trained.takeDirty())).toBe(1);
    const r = store.entry('r', sample('r'), from, 2);
    expect(store.entries.has('r')).toBe(false);
    const v = r.detector.step(200 * 60_000, 500);
    expect(v.warmingUp).toBe(false);
    expect(v.score).toBeGreaterThan(0.9);
    store.done(r);
    expect(store.slab.size).toBe(1);
  });

  it('snapshots a state as its slab bytes, which a store restores exactly; an older JSON state still restores', () => {
    const trained = new DetectorStore(4);
    const t = trained.entry('r', sample('r'), from, 0);
    for (let i = 0; i < 300; i++) t.detector.step(i * 60_000, 1 + (i % 7) * 0.01);
    const [saved] = trained.takeDirty();
    expect(saved!.state.startsWith(`b1:${trained.slab.layout}:`)).toBe(true);
    const json = { ...saved!, state: encodeState(t.detector.save()!) };
    const next = (store: DetectorStore) => {
      const r = store.entry('r', sample('r'), from, 1);
      return [0, 1, 2].map((i) => ({ ...r.detector.step((300 + i) * 60_000, i === 1 ? 9 : 1) }));
    };
    const expected = [0, 1, 2].map((i) => ({ ...t.detector.step((300 + i) * 60_000, i === 1 ? 9 : 1) }));
    for (const row of [saved!, json]) {
      const store = new DetectorStore(4);
      expect(store.restore([row])).toBe(1);
      expect(next(store)).toEqual(expected);
    }
  });

  it('leaves a state of another layout, or cut short, unrestored', () => {
    const trained = new DetectorStore(4);
    trained.entry('r', sample('r'), from, 0).detector.step(0, 1);
    const [saved] = trained.takeDirty();
    const other = new DetectorStore(4, { detectors: ['range'] });
    expect(other.slab.layout).not.toBe(trained.slab.layout);
    expect(other.restore([saved!])).toBe(0);
    const store = new DetectorStore(4);
    expect(store.restore([{ ...saved!, state: saved!.state.slice(0, -8) }])).toBe(0);
    expect(store.restore([saved!])).toBe(1);
  });

  it('hands out changed states at most `limit` at a time, released ones first, each once', () => {
    const store = new DetectorStore(10);
    for (const key of ['a', 'b', 'c']) store.entry(key, sample(key), from, 1).detector.step(0, 1);
    store.entry('r', sample('r'), { topic: 't', partition: 1 }, 1).detector.step(0, 1);
    store.release((_t, p) => p === 0);
    const chunks = [store.takeDirty(2), store.takeDirty(2), store.takeDirty(2)];
    expect(chunks.map((c) => c.map((r) => r.series))).toEqual([['r', 'a'], ['b', 'c'], []]);
  });
});

/** The store's eviction as first written: the Map's own order, second chance by re-insertion. */
class ReferenceStore {
  readonly entries = new Map<string, { partition: number; touched: boolean }>();
  readonly open = new Set<string>();
  evicted = 0;
  constructor(private readonly max: number) {}
  entry(key: string, partition: number) {
    const e = this.entries.get(key);
    if (e) {
      e.touched = true;
      return;
    }
    this.entries.set(key, { partition, touched: false });
    let chances = this.entries.size;
    while (this.entries.size > this.max) {
      const [k, x] = this.entries.entries().next().value as [string, { partition: number; touched: boolean }];
      this.entries.delete(k);
      if (chances-- > 0 && (x.touched || this.open.has(k))) {
        x.touched = false;
        this.entries.set(k, x);
        continue;
      }
      this.open.delete(k);
      this.evicted++;
    }
  }
  release(owns: (p: number) => boolean) {
    for (const [k, x] of this.entries)
      if (!owns(x.partition)) {
        this.entries.delete(k);
        this.open.delete(k);
      }
  }
}

describe('detector store eviction, against the plain Map-ordered model', () => {
  it('keeps and evicts the same series under random samples, incidents and rebalances', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const [max, keys] of [
      [3, 8],
      [50, 200],
      [500, 1500],
    ] as const) {
      const store = new DetectorStore(max);
      const model = new ReferenceStore(max);
      for (let step = 0; step < 20_000; step++) {
        const r = random();
        const key = `k${Math.floor(random() * keys)}`;
        const partition = key.length % 3;
        if (r < 0.9) {
          store.entry(key, sample(key), { topic: 't', partition }, step);
          model.entry(key, partition);
        } else if (r < 0.95) {
          if (store.entries.has(key)) {
            store.open.add(key);
            model.open.add(key);
          }
        } else if (r < 0.99) {
          store.open.delete(key);
          model.open.delete(key);
        } else {
          const lost = Math.floor(random() * 3);
          store.release((_t, p) => p !== lost);
          model.release((p) => p !== lost);
        }
        if (step % 500 === 0 || step === 19_999) {
          expect([...store.entries.keys()].sort()).toEqual([...model.entries.keys()].sort());
          expect(store.evicted).toBe(model.evicted);
        }
      }
    }
  });
});
