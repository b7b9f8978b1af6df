import { joinSpans, ReplayGuard, spanOf } from './replay-guard';

/** A storage of (host, ts) rows, and the look-ups the guard made of it. */
function storage(rows: [string, number][]) {
  const lookups: { hosts: string[]; since: number }[] = [];
  const newest = async (hosts: string[], since: number) => {
    lookups.push({ hosts, since });
    const found = new Map<string, number>();
    for (const [host, ts] of rows)
      if (hosts.includes(host) && ts >= since) found.set(host, Math.max(found.get(host) ?? -Infinity, ts));
    return found;
  };
  return { rows, lookups, newest };
}
const at = (...pairs: [string, number][]) => new Map(pairs);

describe('ReplayGuard', () => {
  it('looks a host up once, then lets only what reaches back into stored time skip stored ids', async () => {
    const s = storage([
      ['a', 100],
      ['a', 200],
      ['b', 50],
    ]);
    const guard = new ReplayGuard(s.newest, { maxHosts: 10 });
    expect(await guard.mayHoldStored(at(['a', 150], ['c', 120]))).toBe(true); // a: 150 <= 200
    expect(s.lookups).toEqual([{ hosts: ['a', 'c'], since: 120 }]);
    expect(await guard.mayHoldStored(at(['a', 201]))).toBe(false); // newer than anything stored
    expect(await guard.mayHoldStored(at(['c', 130]))).toBe(false); // nothing stored of c
    expect(await guard.mayHoldStored(at(['c', 119]))).toBe(true); // older than its look-up covered
    expect(s.lookups).toHaveLength(1);
    expect(await guard.mayHoldStored(at(['b', 51]))).toBe(false); // b: first met, newer than 50
    expect(s.lookups[1]).toEqual({ hosts: ['b'], since: 51 });
  });

  it('forgets what it learned when the assignment changes, and looks again', async () => {
    const s = storage([['a', 100]]);
    let changed = false;
    const guard = new ReplayGuard(s.newest, { maxHosts: 10, reassigned: () => changed });
    expect(await guard.mayHoldStored(at(['a', 101]))).toBe(false);
    s.rows.push(['a', 300]); // another member stored more of a meanwhile
    expect(await guard.mayHoldStored(at(['a', 250]))).toBe(false); // still the old answer...
    changed = true;
    expect(await guard.mayHoldStored(at(['a', 250]))).toBe(true); // ...until it is reassigned
    expect(s.lookups).toHaveLength(2);
  });

  it('looks up only once its own inserts under way have landed', async () => {
    const s = storage([['a', 100]]);
    let land!: () => void;
    const landing = new Promise<void>((r) => (land = r));
    const guard = new ReplayGuard(s.newest, { maxHosts: 10, settled: () => landing });
    const answer = guard.mayHoldStored(at(['a', 150]));
    await new Promise((r) => setImmediate(r));
    expect(s.lookups).toHaveLength(0); // an insert of a to 200 is still landing
    s.rows.push(['a', 200]);
    land();
    expect(await answer).toBe(true); // 150 is found stored time
    expect(s.lookups).toHaveLength(1);
  });

  it('starts over when full, counting it, and still answers from a fresh look-up', async () => {
    const s = storage([
      ['a', 100],
      ['b', 100],
      ['c', 100],
    ]);
    let resets = 0;
    const guard = new ReplayGuard(s.newest, { maxHosts: 2, onReset: () => resets++ });
    expect(await guard.mayHoldStored(at(['a', 101], ['b', 101]))).toBe(false);
    expect(await guard.mayHoldStored(at(['c', 100]))).toBe(true);
    expect(resets).toBe(1);
    expect(await guard.mayHoldStored(at(['a', 90]))).toBe(true);
    expect(s.lookups.map((l) => l.hosts)).toEqual([['a', 'b'], ['c'], ['a']]);
  });
});

describe('sample spans', () => {
  it('keeps each host’s oldest event time and the newest of all, joined across chunks', () => {
    const one = spanOf([
      { host: 'a', ts: 5 },
      { host: 'b', ts: 3 },
      { host: 'a', ts: 2 },
    ]);
    expect(one).toEqual({ oldest: at(['a', 2], ['b', 3]), newest: 5 });
    const two = spanOf([
      { host: 'b', ts: 1 },
      { host: 'c', ts: 9 },
    ]);
    expect(joinSpans([one, two])).toEqual({ oldest: at(['a', 2], ['b', 1], ['c', 9]), newest: 9 });
    expect(joinSpans([one])).toBe(one);
  });
});
