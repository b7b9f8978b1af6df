import { PartitionCommits } from './partition-commits';

describe('PartitionCommits', () => {
  it('commits the end of the acknowledged prefix, in fetch order', () => {
    const commits = new PartitionCommits();
    const first = commits.track('t:0', 10n);
    const second = commits.track('t:0', 20n);
    second();
    expect(commits.next('t:0')).toBeUndefined(); // the first is not acknowledged yet
    first();
    expect(commits.next('t:0')).toBe(20n);
    expect(commits.pending).toBe(0);
  });

  it('holds the position at the floor the last ack names, and never moves backwards', () => {
    const commits = new PartitionCommits();
    commits.track('t:0', 10n)('4');
    expect(commits.next('t:0')).toBe(4n);
    commits.markCommitted('t:0', 4n);
    commits.track('t:0', 20n)('3');
    expect(commits.next('t:0')).toBeUndefined();
    commits.track('t:0', 30n)();
    expect(commits.next('t:0')).toBe(30n);
  });

  it('keeps partitions apart and forgets the ones no longer owned', () => {
    const commits = new PartitionCommits();
    commits.track('t:0', 10n)();
    commits.track('t:1', 5n);
    commits.retain(new Set(['t:0']));
    expect(commits.pending).toBe(1);
    expect(commits.next('t:0')).toBe(10n);
    expect(commits.next('t:1')).toBeUndefined();
  });
});

describe('PartitionCommits, a batch acknowledged again', () => {
  it('moves the position when the last acknowledged batch’s floor rises (windows closed while idle)', () => {
    const commits = new PartitionCommits();
    const ack = commits.track('t:0', 10n);
    ack('4');
    expect(commits.next('t:0')).toBe(4n);
    commits.markCommitted('t:0', 4n);
    ack(); // every window it fed is closed now
    expect(commits.next('t:0')).toBe(10n);
  });

  it('ignores a repeated ack of a batch that is no longer the last acknowledged one', () => {
    const commits = new PartitionCommits();
    const first = commits.track('t:0', 10n);
    first('4');
    commits.track('t:0', 20n)('12');
    expect(commits.next('t:0')).toBe(12n);
    commits.markCommitted('t:0', 12n);
    first();
    expect(commits.next('t:0')).toBeUndefined();
  });
});
