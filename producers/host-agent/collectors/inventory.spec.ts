import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Collection } from '../collection';
import { inventoryCollector, parseCpuinfo, parseOsRelease, readInventory, type Inventory } from './inventory';

const fixture = path.join(__dirname, '..', 'fixtures', 'proc');

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

describe('the inventory files', () => {
  it('reads a host from its /proc and os-release, boot time from btime', async () => {
    const hostRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-inventory-'));
    fs.mkdirSync(path.join(hostRoot, 'etc'));
    fs.writeFileSync(
      path.join(hostRoot, 'etc', 'os-release'),
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n',
    );
    try {
      const inventory = await readInventory(0, { procRoot: fixture, hostRoot });
      expect(inventory).toMatchObject({
        'os.description': 'Debian GNU/Linux 12',
        'host.cpu.model.name': 'AMD EPYC',
        'host.cpu.cores': '2',
        'host.memory.total': String(24683620 * 1024),
        'host.boot.time': new Date(1795466081 * 1000).toISOString().slice(0, 19) + 'Z',
      });
    } finally {
      fs.rmSync(hostRoot, { recursive: true, force: true });
    }
  });

  it('parses os-release values quoted, escaped or bare, and skips comments and junk', () => {
    const text = [
      '# a comment',
      'NAME=Fedora\\ Linux',
      "ID='fedora'",
      'VERSION_ID="40"',
      'PRETTY_NAME="Say \\"hi\\""',
      'lower=ignored',
      'NOEQUALS',
      `LONG="${'x'.repeat(1000)}"`,
    ].join('\n');
    const release = parseOsRelease(text);
    expect(release).toMatchObject({
      NAME: 'Fedora\\ Linux',
      ID: 'fedora',
      VERSION_ID: '40',
      PRETTY_NAME: 'Say "hi"',
    });
    expect(release.LONG).toHaveLength(256);
    expect(Object.keys(release)).not.toContain('lower');
  });

  it('counts logical CPUs and names the model on x86 and ARM', () => {
    expect(parseCpuinfo(fs.readFileSync(path.join(fixture, 'cpuinfo'), 'utf8'))).toEqual({
      count: 2,
      model: 'AMD EPYC',
    });
    const arm =
      'processor\t: 0\nBogoMIPS\t: 108.00\n\nprocessor\t: 1\n\nHardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n';
    expect(parseCpuinfo(arm)).toEqual({ count: 2, model: 'Raspberry Pi 4 Model B Rev 1.4' });
    expect(parseCpuinfo('')).toEqual({ count: 0, model: '' });
  });
});
