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
});
