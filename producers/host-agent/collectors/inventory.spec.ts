import { Collection } from '../collection';
import { inventoryCollector, type Inventory } from './inventory';

const INVENTORY = { 'host.cpu.cores': '2', 'host.memory.total': '1024' } as unknown as Inventory;

describe('inventoryCollector', () => {
  it('publishes a read that finished after the collection stopped waiting, next round', async () => {
    let finish: (i: Inventory) => void = () => undefined;
    const reads: number[] = [];
    const read = (nowMs: number) => {
      reads.push(nowMs);
      return new Promise<Inventory>((resolve) => (finish = resolve));
    };
    const failures: string[] = [];
    const collection = new Collection({
      collectors: [inventoryCollector(1000, read)],
      timeoutMs: 5,
      onFailure: (name, reason) => failures.push(`${name}:${reason}`),
    });
    expect((await collection.run(0)).samples).toEqual([]); // a loaded host: the read is slow
    expect(failures).toEqual(['inventory:timeout']);
    finish(INVENTORY);
    await new Promise((resolve) => setImmediate(resolve));
    const next = await collection.run(1000);
    expect(next.samples.map((s) => s.attributes)).toEqual([INVENTORY]);
    expect(reads).toEqual([0]); // not read again: the late answer was kept
    expect((await collection.run(2000)).samples).toEqual([]); // and then it is fresh for an hour
  });

  it('publishes once at start and not again while nothing changes', async () => {
    const collection = new Collection({
      collectors: [inventoryCollector(1000, async () => INVENTORY)],
      timeoutMs: 1000,
      onFailure: () => undefined,
    });
    expect((await collection.run(0)).samples).toHaveLength(1);
    expect((await collection.run(1000)).samples).toEqual([]);
  });
});
