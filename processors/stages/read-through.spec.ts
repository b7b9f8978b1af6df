import { ReadThrough } from './read-through';

describe('ReadThrough', () => {
  it('takes each partition’s offsets once, in order, whatever the other partitions do', () => {
    const read = new ReadThrough();
    const taken = (p: number, offsets: string[]) => offsets.map((o) => read.take('t', p, o));
    expect(taken(0, ['5', '6', '9', '10'])).toEqual([true, true, true, true]);
    expect(taken(1, ['0', '1'])).toEqual([true, true]);
    // Read again from an earlier offset (a join): what was taken is refused, what follows is taken.
    expect(taken(0, ['6', '9', '10', '11', '100'])).toEqual([false, false, false, true, true]);
    expect(taken(1, ['1', '2'])).toEqual([false, true]);
  });

  it('starts a partition afresh once the member no longer owns it', () => {
    const read = new ReadThrough();
    read.take('t', 0, '10');
    read.take('t', 1, '10');
    read.handOver((_t, p) => p === 1);
    expect([read.take('t', 0, '3'), read.take('t', 1, '3')]).toEqual([true, false]);
  });
});
