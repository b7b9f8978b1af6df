import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeFrame, frameOf, HEADER_BYTES, readFrame } from './frame';
import { batchBytes, decodeBatch, encodeBatch, writeBatch, type Outgoing } from './outgoing';
import { Spool, type SpoolOptions } from './spool';

const record = (i: number): Outgoing => ({ topic: 't', key: 'h', value: Buffer.from(`value-${i}`) });
const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => record(from + i));
const values = (records: Outgoing[]) => records.map((r) => r.value.toString());

describe('spool frames', () => {
  it('round-trips a batch and rejects a flipped bit with a checksum error', () => {
    const frame = encodeFrame(encodeBatch(batch(0, 3)));
    const read = readFrame(frame, 0);
    expect(read.kind).toBe('frame');
    expect(values(decodeBatch((read as { payload: Buffer }).payload))).toEqual([
      'value-0',
      'value-1',
      'value-2',
    ]);
    const flipped = Buffer.from(frame);
    flipped[HEADER_BYTES + 5]! ^= 0x10;
    expect(readFrame(flipped, 0)).toEqual({ kind: 'corrupt', next: undefined });
    expect(readFrame(frame.subarray(0, frame.length - 1), 0)).toEqual({ kind: 'incomplete' });
  });
});

describe('spool payloads', () => {
  // The layout spools already on disk hold: count, then topic, key and value, each u32-length-prefixed.
  const hostKeyed: Outgoing[] = [
    { topic: 'm', key: 'hôte', value: Buffer.from([1, 2]) },
    { topic: 'pp', key: '', value: Buffer.alloc(0) },
  ];
  const layout = Buffer.from(
    '00000002' +
      '00000001' +
      '6d' +
      '00000005' +
      '68c3b47465' +
      '00000002' +
      '0102' +
      '00000002' +
      '7070' +
      '00000000' +
      '00000000',
    'hex',
  );

  it('writes the layout of the spools on disk, multi-byte keys measured in bytes', () => {
    expect(batchBytes(hostKeyed)).toBe(layout.length);
    expect(encodeBatch(hostKeyed).equals(layout)).toBe(true);
    expect(decodeBatch(layout)).toEqual(hostKeyed);
  });

  it('frames a batch written in place exactly as a framed payload', () => {
    const inPlace = frameOf(batchBytes(hostKeyed), (payload) => writeBatch(hostKeyed, payload));
    expect(inPlace.equals(encodeFrame(layout))).toBe(true);
  });
});

describe('Spool', () => {
  let dir: string;
  const open = (o: Partial<SpoolOptions> = {}) =>
    new Spool({ dir, maxBytes: 1 << 20, segmentBytes: 4096, fsync: 'always', fsyncIntervalMs: 1000, ...o });
  const drain = (spool: Spool, max = 1000) => {
    const out: Outgoing[] = [];
    for (let read = spool.read(max); read; read = spool.read(max)) {
      out.push(...read.batch);
      spool.ack(read);
    }
    return out;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spool-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives records back oldest first across segments, and deletes what was delivered', () => {
    const spool = open({ fsync: 'never' });
    for (let i = 0; i < 100; i++) spool.append(batch(i * 10, 10));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(3);
    expect(spool.pending).toBe(1000);
    const out = drain(spool, 25);
    expect(values(out)).toEqual(values(batch(0, 1000)));
    expect(spool.pending).toBe(0);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.seg')).length).toBe(1);
    expect(spool.bytes).toBe(0);
    spool.close();
  });

  it('survives a restart: unsent records come back, sent ones do not', () => {
    const first = open();
    for (let i = 0; i < 20; i++) first.append(batch(i * 5, 5));
    const read = first.read(30)!;
    first.ack(read);
    const sentCount = read.batch.length;
    first.close();
    const second = open();
    expect(second.pending).toBe(100 - sentCount);
    expect(values(drain(second))).toEqual(values(batch(sentCount, 100 - sentCount)));
    second.close();
  });

  it('a read that was not acknowledged is read again', () => {
    const spool = open();
    spool.append(batch(0, 3));
    const read = spool.read(10)!;
    spool.nack(read);
    expect(values(spool.read(10)!.batch)).toEqual(values(batch(0, 3)));
    spool.close();
  });

  it('cuts off a torn last write on restart and appends after it', () => {
    const first = open();
    first.append(batch(0, 3));
    first.append(batch(3, 3));
    first.close();
    const [segment] = fs.readdirSync(dir).filter((f) => f.endsWith('.seg'));
    const file = path.join(dir, segment!);
    fs.truncateSync(file, fs.statSync(file).size - 7); // the second write was cut short by a crash
    const second = open();
    expect(second.counters.corrupt).toBe(1);
    expect(second.pending).toBe(3);
    second.append(batch(100, 2));
    expect(values(drain(second))).toEqual(values([...batch(0, 3), ...batch(100, 2)]));
    second.close();
  });

  it('skips a record with a flipped bit, counts it, and delivers the records around it', () => {
    const first = open();
    first.append(batch(0, 2));
    first.append(batch(2, 2));
    first.append(batch(4, 2));
    first.close();
    const [segment] = fs.readdirSync(dir).filter((f) => f.endsWith('.seg'));
    const file = path.join(dir, segment!);
    const bytes = fs.readFileSync(file);
    const second = encodeFrame(encodeBatch(batch(0, 2))).length; // where the second record starts
    bytes[second + HEADER_BYTES + 3]! ^= 0x01;
    fs.writeFileSync(file, bytes);
    const spool = open();
    expect(values(drain(spool))).toEqual(values([...batch(0, 2), ...batch(4, 2)]));
    expect(spool.counters.corrupt).toBe(1);
    spool.close();
  });

  it('garbage in the middle of a segment is skipped to the next valid record', () => {
    const first = open();
    first.append(batch(0, 1));
    first.close();
    const [segment] = fs.readdirSync(dir).filter((f) => f.endsWith('.seg'));
    const file = path.join(dir, segment!);
    fs.appendFileSync(file, Buffer.from('not a record at all'));
    fs.appendFileSync(file, encodeFrame(encodeBatch(batch(1, 1))));
    const spool = open();
    expect(values(drain(spool))).toEqual(values(batch(0, 2)));
    expect(spool.counters.corrupt).toBe(1);
    spool.close();
  });

  it('stays under its cap by dropping the oldest segment, counting every record it held', () => {
    const spool = open({ maxBytes: 16 * 1024, segmentBytes: 4096, fsync: 'never' });
    const appended = 1000;
    for (let i = 0; i < appended; i++) spool.append(batch(i, 1));
    expect(spool.bytes).toBeLessThanOrEqual(16 * 1024);
    expect(spool.counters.dropped).toBeGreaterThan(0);
    const delivered = drain(spool);
    expect(delivered.length + spool.counters.dropped).toBe(appended);
    // What survives is the newest, in order.
    expect(values(delivered)).toEqual(values(batch(appended - delivered.length, delivered.length)));
    spool.close();
  });

  it('counts a read whose segment was dropped while it was in flight as dropped only if it then fails', () => {
    const spool = open({ maxBytes: 16 * 1024, segmentBytes: 4096, fsync: 'never' });
    for (let i = 0; i < 50; i++) spool.append(batch(i, 1));
    const read = spool.read(5)!;
    for (let i = 50; i < 1000; i++) spool.append(batch(i, 1));
    const droppedBefore = spool.counters.dropped;
    expect(droppedBefore).toBeGreaterThan(0);
    spool.nack(read);
    expect(spool.counters.dropped).toBe(droppedBefore + read.batch.length);
    const delivered = drain(spool);
    expect(delivered.length + spool.counters.dropped).toBe(1000);
    spool.close();
  });

  it.each([
    ['delivered', true],
    ['failed', false],
  ])(
    'a read in flight when its segment is dropped never counts the batches it skipped, already sent directly (%s)',
    (_, delivered) => {
      const spool = open({ maxBytes: 16 * 1024, segmentBytes: 4096, fsync: 'never' });
      spool.append(batch(0, 2)); // spooled while Kafka was away
      const direct = spool.append(batch(2, 2), { held: true })!; // back: sent straight away…
      spool.settle(direct, true); // …and acknowledged, ahead of the spooled backlog
      spool.append(batch(4, 2));
      const read = spool.read(100)!; // the backlog around it
      expect(values(read.batch)).toEqual(values([...batch(0, 2), ...batch(4, 2)]));
      for (let i = 6; i < 1000; i++) spool.append(batch(i, 1)); // the spool fills meanwhile
      const droppedBefore = spool.counters.dropped;
      expect(droppedBefore).toBeGreaterThan(0);
      if (delivered) spool.ack(read);
      else spool.nack(read);
      expect(spool.counters.dropped).toBe(droppedBefore + (delivered ? 0 : read.batch.length));
      // Every record is delivered exactly once or counted as dropped, never both.
      const sent = 2 + (delivered ? read.batch.length : 0) + drain(spool).length;
      expect(sent + spool.counters.dropped).toBe(1000);
      spool.close();
    },
  );

  it('a damaged cursor file means re-reading from the oldest record, never losing one', () => {
    const first = open();
    first.append(batch(0, 2));
    first.append(batch(2, 2));
    first.ack(first.read(2)!);
    first.close();
    fs.writeFileSync(path.join(dir, 'cursor'), 'garbage');
    const second = open();
    expect(second.pending).toBe(4);
    second.close();
  });

  it('stops reading at a batch being sent directly, then skips it once delivered or reads it if not', () => {
    const spool = open();
    spool.append(batch(0, 2));
    const direct = spool.append(batch(2, 2), { held: true })!;
    spool.append(batch(4, 2));
    const first = spool.read(100)!;
    expect(values(first.batch)).toEqual(values(batch(0, 2)));
    spool.ack(first);
    expect(spool.read(100)).toBeUndefined(); // waits for the direct send
    spool.settle(direct, true);
    expect(spool.pending).toBe(2);
    const rest = spool.read(100)!;
    expect(values(rest.batch)).toEqual(values(batch(4, 2)));
    spool.ack(rest);
    expect(spool.pending).toBe(0);

    const failed = spool.append(batch(6, 1), { held: true })!;
    spool.settle(failed, false);
    expect(values(spool.read(100)!.batch)).toEqual(values(batch(6, 1)));
    spool.close();
  });

  it('while Kafka keeps up, a batch sent directly costs its write only: no fsync, no cursor rewrite', () => {
    const spool = open({ fsync: 'interval', fsyncIntervalMs: 60_000 });
    spool.settle(spool.append(batch(0, 2), { held: true })!, true);
    const cursor = fs.statSync(path.join(dir, 'cursor')).ino;
    const fsync = jest.spyOn(fs, 'fsyncSync');
    try {
      for (let i = 1; i <= 5; i++) {
        spool.settle(spool.append(batch(i * 2, 2), { held: true })!, true);
        spool.sync(); // the interval's fsync: nothing undelivered to make durable
      }
      expect(fsync).not.toHaveBeenCalled();
    } finally {
      fsync.mockRestore();
    }
    expect(fs.statSync(path.join(dir, 'cursor')).ino).toBe(cursor);
    expect(spool.pending).toBe(0);
    spool.close();
    expect(drain(open())).toEqual([]); // and a restart sends none of them again
  });

  it('a batch being sent directly when its segment is dropped counts as dropped only if the send fails', () => {
    const spool = open({ maxBytes: 16 * 1024, segmentBytes: 4096, fsync: 'never' });
    const ok = spool.append(batch(0, 1), { held: true })!;
    const lost = spool.append(batch(1, 1), { held: true })!;
    for (let i = 2; i < 1000; i++) spool.append(batch(i, 1));
    const dropped = spool.counters.dropped;
    spool.settle(ok, true);
    expect(spool.counters.dropped).toBe(dropped);
    spool.settle(lost, false);
    expect(spool.counters.dropped).toBe(dropped + 1);
    expect(drain(spool).length + spool.counters.dropped + 1).toBe(1000);
    spool.close();
  });

  it('keeps its folder 0700 and its files 0600 whatever the umask, and repairs an older spool', () => {
    const umask = process.umask(0o022);
    try {
      const modes = () =>
        Object.fromEntries(
          [dir, ...fs.readdirSync(dir).map((f) => path.join(dir, f))].map((f) => [
            path.relative(dir, f) || '.',
            (fs.statSync(f).mode & 0o777).toString(8),
          ]),
        );
      const spool = open({ segmentBytes: 4096, fsync: 'never' });
      for (let i = 0; i < 40; i++) spool.append(batch(i * 5, 5));
      spool.ack(spool.read(10)!);
      spool.close();
      const written = modes();
      expect(Object.keys(written)).toContain('cursor');
      expect(Object.keys(written).filter((f) => f.endsWith('.seg')).length).toBeGreaterThan(1);
      expect(new Set(Object.values(written))).toEqual(new Set(['700', '600']));
      expect(written['.']).toBe('700');
      for (const f of Object.keys(written)) fs.chmodSync(path.join(dir, f), f === '.' ? 0o755 : 0o644);
      open({ fsync: 'never' }).close();
      expect(modes()).toEqual(written);
    } finally {
      process.umask(umask);
    }
  });
});
