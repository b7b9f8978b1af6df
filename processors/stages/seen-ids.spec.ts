import { SeenIds } from './seen-ids';

describe('SeenIds', () => {
  it('forgets oldest first, across growth and wrap-around of its ring, and keeps the rest', () => {
    const seen = new SeenIds();
    for (let i = 0; i < 5000; i++) expect(seen.remember(`h:1:${i}`, 1000 + i)).toBe(true);
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
    for (let step = 0; step < 60_000; step++) {
      if (random(3) === 0 && order.length > 0) {
        seen.forgetOldest();
        model.delete(order.shift()!);
      } else {
        const id = idOf();
        const fresh = !model.has(id);
        expect(seen.remember(id, step)).toBe(fresh);
        if (fresh) {
          model.add(id);
          order.push(id);
        }
      }
      if (step % 997 === 0) {
        expect(seen.size).toBe(model.size);
        for (let probe = 0; probe < 50; probe++) {
          const id = idOf();
          expect(seen.has(id)).toBe(model.has(id));
        }
      }
    }
  });

  it('is empty-safe: nothing to forget, and no oldest time', () => {
    const seen = new SeenIds();
    seen.forgetOldest();
    expect([seen.size, seen.oldestAt, seen.has('h:1:1')]).toEqual([0, Infinity, false]);
  });
});
