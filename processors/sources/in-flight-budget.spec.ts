import { InFlightBudget } from './in-flight-budget';

describe('InFlightBudget', () => {
  it('lets batches through under the limit and holds the one that crosses it until below half', async () => {
    const budget = new InFlightBudget(100, 1e9);
    await budget.acquire(60, 1);
    let through = false;
    const held = budget.acquire(50, 1).then(() => (through = true));
    await Promise.resolve();
    expect(through).toBe(false);
    expect(budget.pauses).toBe(1);
    budget.release(20, 0); // 90 in flight: still above the low-water mark of 50
    await Promise.resolve();
    expect(through).toBe(false);
    budget.release(40, 0); // 50: at the low-water mark
    await held;
    expect(through).toBe(true);
    expect(budget.usage.events).toBe(50);
    expect(budget.peakEvents).toBe(110);
  });

  it('limits bytes as well as events', async () => {
    const budget = new InFlightBudget(1e9, 1000);
    let through = false;
    const held = budget.acquire(1, 1500).then(() => (through = true));
    await Promise.resolve();
    expect(through).toBe(false);
    budget.release(1, 1500);
    await held;
    expect(budget.usage).toEqual({ events: 0, bytes: 0 });
  });

  it('wakes every waiter on releaseAll', async () => {
    const budget = new InFlightBudget(1, 1);
    const held = budget.acquire(5, 5);
    budget.releaseAll();
    await expect(held).resolves.toBeUndefined();
  });
});
