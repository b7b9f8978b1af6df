import { PipelineProgress } from './pipeline-progress';

describe('PipelineProgress', () => {
  it('is not complete while records read again stand in for events not yet written', () => {
    const progress = new PipelineProgress(10);
    // 6 events written, then the same 6 read again after a rebalance and dropped as duplicates.
    expect(progress.add({ received: 6, written: 6, deadLettered: 0 })).toBe(false);
    expect(progress.add({ received: 6, written: 0, deadLettered: 0 })).toBe(false);
    expect(progress.received).toBe(12);
    expect(progress.duplicates).toBe(6);
    expect(progress.done).toBe(6);
    // The other 4: 3 written, 1 dead-lettered.
    expect(progress.add({ received: 4, written: 3, deadLettered: 1 })).toBe(true);
    expect(progress.done).toBe(10);
  });

  it('counts dead letters as done and duplicates apart', () => {
    const progress = new PipelineProgress(5);
    expect(progress.add({ received: 7, written: 3, deadLettered: 2 })).toBe(true);
    expect(progress.duplicates).toBe(2);
  });
});
