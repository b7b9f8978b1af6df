import { SeenIds } from './seen-ids';

describe('SeenIds', () => {
  it('forgets oldest first, across the compaction of its arrays, and keeps the rest', () => {
    const seen = new SeenIds();
    for (let i = 0; i < 5000; i++) seen.add(`id-${i}`, 1000 + i);
    for (let i = 0; i < 3000; i++) seen.forgetOldest(); // compacts along the way
    expect(seen.size).toBe(2000);
    expect(seen.oldestAt).toBe(4000);
    expect(seen.has('id-2999')).toBe(false);
    expect(seen.has('id-3000')).toBe(true);
    seen.add('id-new', 9000);
    for (let i = 0; i < 2000; i++) seen.forgetOldest();
    expect([seen.size, seen.oldestAt, seen.has('id-new'), seen.has('id-4999')]).toEqual([
      1,
      9000,
      true,
      false,
    ]);
  });

  it('is empty-safe: nothing to forget, and no oldest time', () => {
    const seen = new SeenIds();
    seen.forgetOldest();
    expect([seen.size, seen.oldestAt]).toEqual([0, Infinity]);
  });
});
