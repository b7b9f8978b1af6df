import { SeenIds, SeqRuns } from './seen-ids';

describe('SeenIds', () => {
  it('forgets oldest first, across growth and wrap-around of its ring, and keeps the rest', () => {
    const seen = new SeenIds();
    // Mismatches are collected and asserted once: an expect per step costs more than the structure.
    const refused: number[] = [];
    for (let i = 0; i < 5000; i++) if (!seen.remember(`h:1:${i}`, 1000 + i)) refused.push(i);
    expect(refused).toEqual([]);
    for (let i = 0; i < 3000; i++) seen.forgetOldest();
    expect(seen.size).toBe(2000);
    expect(seen.oldestAt).toBe(4000);
    expect(seen.has('h:1:2999')).toBe(false);
    expect(seen.has('h:1:3000')).toBe(true);
    expect(seen.remember('id-new', 9000)).toBe(true);
    for (let i = 0; i < 2000; i++) seen.forgetOldest();
    expect([seen.size, seen.oldestAt, seen.has('id-new'), seen.has('h:1:4999')]).toEqual([
      1,
      9000,
      true,
      false,
    ]);
  });

  it('holds a duplicate once and reports it', () => {
    const seen = new SeenIds();
    expect([seen.remember('h:7:42', 1), seen.remember('h:7:42', 2), seen.size]).toEqual([true, false, 1]);
  });

  it('tells apart ids that only look alike: non-canonical numbers, other prefixes, no colon', () => {
    const seen = new SeenIds();
    const ids = [
      'h:1:7',
      'h:1:07',
      'h:1:+7',
      'h:1:7.0',
      'h:17',
      'h:1:',
      'h:1',
      'h',
      '',
      ':7',
      'h:1:1234567890123456', // 16 digits: held as a whole string
      'h:1:123456789012345',
      'h:1:9007199254740993',
      'h:1:9007199254740992',
      // right after another prefix: as long but different, longer, or a whole id starting alike
      'h:2:7',
      'h:10:7',
      'h:1x:7',
      'h:1:7x',
    ];
    for (const id of ids) expect(seen.remember(id, 0)).toBe(true);
    for (const id of ids) expect(seen.remember(id, 0)).toBe(false);
    expect(seen.size).toBe(ids.length);
  });

  it('matches a plain Set of strings under random remembering and forgetting', () => {
    let state = 12345;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const idOf = () => {
      const r = random(10);
      if (r === 0) return `odd-${random(500)}`;
      if (r === 1) return `host-${random(3)}:b:0${random(50)}`;
      return `host-${random(7)}:${random(2)}:${random(3000)}`;
    };
    const seen = new SeenIds();
    const model = new Set<string>();
    const order: string[] = [];
    let oldest = 0; // order[oldest] is the oldest id still held
    // Mismatches are collected and asserted once: an expect per step costs more than the structure.
    const wrong: string[] = [];
    for (let step = 0; step < 60_000; step++) {
      if (random(3) === 0 && oldest < order.length) {
        seen.forgetOldest();
        model.delete(order[oldest++]!);
      } else {
        const id = idOf();
        const fresh = !model.has(id);
        // The id's host as the hint mostly; now and then another host's, or none.
        const hint = [id.split(':')[0], `host-${random(7)}`, undefined][random(6) % 3];
        if (seen.remember(id, step, hint) !== fresh) wrong.push(`step ${step}: remember ${id}`);
        if (fresh) {
          model.add(id);
          order.push(id);
        }
      }
      if (step % 997 === 0) {
        if (seen.size !== model.size) wrong.push(`step ${step}: size ${seen.size}, not ${model.size}`);
        for (let probe = 0; probe < 50; probe++) {
          const id = idOf();
          if (seen.has(id) !== model.has(id)) wrong.push(`step ${step}: has ${id}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(model.size).toBeGreaterThan(1000);
  });

  it('is empty-safe: nothing to forget, and no oldest time', () => {
    const seen = new SeenIds();
    seen.forgetOldest();
    expect([seen.size, seen.oldestAt, seen.has('h:1:1')]).toEqual([0, Infinity, false]);
  });
});

describe('SeqRuns', () => {
  it('matches a plain Set under random adds (held or not) and removes, in and out of order', () => {
    let state = 99;
    const random = (n: number) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state % n;
    };
    const runs = new SeqRuns();
    const model = new Set<number>();
    const wrong: number[] = [];
    const add = (seq: number) => {
      if (runs.add(seq) === model.has(seq)) wrong.push(seq);
      model.add(seq);
    };
    let next = 0;
    for (let step = 0; step < 40_000; step++) {
      const r = random(10);
      // mostly in order, now and then past a gap, or anywhere below
      if (r < 5) add((next += random(8) === 0 ? 1 + random(5) : 1));
      else if (r < 7) add(random(next + 2));
      else if (model.size > 0) {
        // the lowest held mostly (a Set iterates in insertion order: close to it), now and then any
        const held = model.values();
        let seq = held.next().value!;
        for (let skip = r < 9 ? 0 : random(20); skip > 0; skip--) seq = held.next().value ?? seq;
        runs.remove(seq);
        model.delete(seq);
      }
      if (step % 499 === 0)
        for (let probe = -2; probe <= next + 2; probe++)
          if (runs.has(probe) !== model.has(probe)) wrong.push(probe);
    }
    expect(wrong).toEqual([]);
    expect(model.size).toBeGreaterThan(1000);
  });
});
