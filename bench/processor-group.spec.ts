import { GroupTiming } from './processor-group';

describe('GroupTiming', () => {
  it('ends at the report that brings the members’ running totals to the events', () => {
    const timing = new GroupTiming(2, 100);
    expect(timing.update(0, { done: 30, first: 1000, at: 2000 })).toBe(false);
    // Running totals: a member's later report replaces its earlier one, it does not add to it.
    expect(timing.update(0, { done: 60, first: 1000, at: 3000 })).toBe(false);
    expect(timing.update(1, { done: 30, first: 1500, at: 3500 })).toBe(false);
    expect(timing.update(1, { done: 40, first: 1500, at: 4000 })).toBe(true);
    // Later reports (stragglers) neither end it again nor move its end.
    expect(timing.update(0, { done: 70, first: 1000, at: 5000 })).toBe(false);
    expect(timing.figures()).toEqual({
      seconds: 3, // the first fetch of any member (1000) to the ending report (4000)
      steady: { events: 70, seconds: 2 }, // after the first delivery (30 events done at 2000)
    });
  });

  it('takes the earliest first fetch of the members that have fetched', () => {
    const timing = new GroupTiming(2, 10);
    timing.update(1, { done: 5, first: 0, at: 900 }); // no fetch time known
    timing.update(0, { done: 5, first: 700, at: 1000 });
    expect(timing.figures().seconds).toBe(0.3);
  });

  it('ends where it is told once what is stored was checked, the latest report kept', () => {
    const timing = new GroupTiming(2, 10);
    timing.update(0, { done: 6, first: 1000, at: 2000 });
    expect(timing.update(1, { done: 6, first: 1000, at: 3000 })).toBe(true); // 12: re-reads counted at both
    timing.update(1, { done: 8, first: 1000, at: 5000 });
    expect(timing.lastReport).toBe(5000);
    timing.update(0, { done: 7, first: 1000, at: 4000 }); // reports arrive out of order
    expect(timing.lastReport).toBe(5000);
    timing.endAt(timing.lastReport);
    expect(timing.figures()).toEqual({ seconds: 4, steady: { events: 4, seconds: 3 } });
  });
});
