import fs from 'node:fs';
import path from 'node:path';
import {
  openPrivateAppend,
  PRIVATE_FILE_MODE,
  privateDir,
  writePrivateFile,
} from '../../../core/private-files';
import { frameOf, readFrame } from './frame';
import { batchBytes, batchCount, decodeBatch, writeBatch, type Outgoing } from './outgoing';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SpoolOptions {
  dir: string;
  /** Past this many bytes on disk the oldest segment is dropped (its unsent records counted). */
  maxBytes: number;
  segmentBytes: number;
  /** always: every append and cursor move is fsynced; interval: at most `fsyncIntervalMs` of appends can be lost in a power cut; never: the OS decides. */
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
}

export interface SpoolCounters {
  /** Records that were spooled and then dropped because the spool was full. */
  dropped: number;
  /** Damaged records skipped (bad checksum, torn write, garbage). */
  corrupt: number;
}

interface Segment {
  id: number;
  file: string;
  bytes: number;
  /** Records in the segment's valid frames. */
  records: number;
}

/** Where reading resumes: a segment, a byte offset in it, and how many of its records were sent. */
interface Cursor {
  id: number;
  offset: number;
  sent: number;
}

/** One read of the spool's oldest records; `ack` it once they are delivered. */
export interface SpoolRead {
  batch: Outgoing[];
  readonly cursor: Cursor;
}

interface InFlight {
  read: SpoolRead;
  segment: number;
  /**
   * Records between the cursor and the read's end: its batch, and the batches it skipped because
   * they were already sent directly (and damaged ones, counted as corrupt). None of them is the
   * spool's to count as dropped if the segment goes while the read is in flight.
   */
  covered: number;
}

/** Where an appended batch sits: what `settle` needs to know which batch a direct send was about. */
export interface SpoolPosition {
  id: number;
  offset: number;
  /** The frame's length on disk. */
  bytes: number;
  records: number;
}

/**
 * A batch appended with `held`: being sent directly, so reads stop before it until it settles.
 * Once delivered, reads skip it; `orphan` means the spool dropped its segment meanwhile.
 */
interface Held {
  state: 'held' | 'delivered' | 'orphan';
  position: SpoolPosition;
}

const keyOf = (id: number, offset: number) => `${id}:${offset}`;

const SEGMENT = /^(\d{16})\.seg$/;
const segmentFile = (dir: string, id: number) => path.join(dir, `${String(id).padStart(16, '0')}.seg`);

/**
 * The agent's on-disk spool: append-only segment files of checksummed records, read oldest first
 * from a persisted cursor. Survives restarts (a torn last write is cut off, damaged records are
 * skipped and counted, never a crash loop) and stays under `maxBytes` by dropping the oldest
 * segment, counting the records it held. Synchronous file I/O on purpose: appends are small, and
 * an append that returned is in the file even if the process is killed right after.
 */
export class Spool {
  private segments: Segment[] = [];
  private cursor: Cursor = { id: 0, offset: 0, sent: 0 };
  private fd: number | undefined;
  private dirty = false;
  /** The cursor file's text as last written or read. */
  private savedCursor: string | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private headCache: { id: number; bytes: number; buf: Buffer } | undefined;
  /** The read being delivered: if its segment is dropped meanwhile, its records count as dropped only if the delivery fails. */
  private inFlight: InFlight | undefined;
  private readonly held = new Map<string, Held>();
  readonly counters: SpoolCounters = { dropped: 0, corrupt: 0 };

  constructor(private readonly o: SpoolOptions) {
    privateDir(o.dir);
    this.recover();
    if (o.fsync === 'interval') {
      this.timer = setInterval(() => this.sync(), o.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  /** Records spooled and not yet delivered. */
  get pending(): number {
    let delivered = 0;
    for (const h of this.held.values()) if (h.state === 'delivered') delivered += h.position.records;
    return this.segments.reduce((n, s) => n + s.records, 0) - this.cursor.sent - delivered;
  }

  /** Bytes the spool's files take on disk. */
  get bytes(): number {
    return this.segments.reduce((n, s) => n + s.bytes, 0);
  }

  /**
   * Appends a batch. With `held`, the caller is sending it directly: reads stop before it until
   * `settle` says whether it was delivered (then reads skip it) or not (then a read sends it).
   */
  append(batch: readonly Outgoing[], options: { held?: boolean } = {}): SpoolPosition | undefined {
    if (batch.length === 0) return undefined;
    const frame = frameOf(batchBytes(batch), (payload) => writeBatch(batch, payload));
    if (frame.length > this.o.maxBytes) {
      this.counters.dropped += batch.length;
      return undefined;
    }
    let tail = this.segments.at(-1);
    if (!tail || (tail.bytes > 0 && tail.bytes + frame.length > this.o.segmentBytes)) tail = this.roll();
    while (this.bytes + frame.length > this.o.maxBytes && this.segments.length > 1) this.dropOldest();
    const position = { id: tail.id, offset: tail.bytes, bytes: frame.length, records: batch.length };
    fs.writeSync(this.fd!, frame);
    tail.bytes += frame.length;
    tail.records += batch.length;
    if (this.o.fsync === 'always') fs.fsyncSync(this.fd!);
    else this.dirty = true;
    if (options.held) this.held.set(keyOf(position.id, position.offset), { state: 'held', position });
    return position;
  }

  /** The outcome of sending a held batch directly. */
  settle(position: SpoolPosition, delivered: boolean): void {
    const key = keyOf(position.id, position.offset);
    const h = this.held.get(key);
    if (!h) return;
    if (h.state === 'orphan') {
      if (!delivered) this.counters.dropped += position.records;
      this.held.delete(key);
    } else if (!delivered) this.held.delete(key);
    else if (position.id === this.cursor.id && position.offset === this.cursor.offset) {
      // Next in line anyway (the usual case while Kafka keeps up): move past it without a read.
      this.held.delete(key);
      this.moveTo({
        id: position.id,
        offset: position.offset + position.bytes,
        sent: this.cursor.sent + position.records,
      });
    } else h.state = 'delivered';
  }

  /** The oldest unsent records, up to about `maxRecords` (whole batches, at least one), or undefined when none. */
  read(maxRecords: number): SpoolRead | undefined {
    for (;;) {
      const head = this.segments[0];
      if (!head || (head === this.segments.at(-1) && this.cursor.offset >= head.bytes)) return undefined;
      const buf = this.headBytes(head);
      const batch: Outgoing[] = [];
      let { offset, sent } = this.cursor;
      while (offset < buf.length && batch.length < maxRecords) {
        const h = this.held.get(keyOf(head.id, offset));
        if (h?.state === 'held') break; // being sent directly: wait for its outcome
        const frame = readFrame(buf, offset);
        if (frame.kind === 'frame' && h?.state === 'delivered') {
          this.held.delete(keyOf(head.id, offset));
          sent += batchCount(frame.payload);
          offset = frame.end;
        } else if (frame.kind === 'frame') {
          try {
            batch.push(...decodeBatch(frame.payload));
            sent += batchCount(frame.payload);
          } catch {
            this.counters.corrupt++;
          }
          offset = frame.end;
        } else {
          // A torn tail can only be the last write before a crash, and recovery cut those off: any
          // damage found here is skipped to the next record that checks out.
          this.counters.corrupt++;
          offset = frame.kind === 'corrupt' ? (frame.next ?? buf.length) : buf.length;
        }
      }
      const cursor = { id: head.id, offset, sent };
      if (batch.length > 0) {
        const read = { batch, cursor };
        this.inFlight = { read, segment: head.id, covered: sent - this.cursor.sent };
        return read;
      }
      if (offset === this.cursor.offset) return undefined; // stopped at a batch being sent directly
      this.moveTo(cursor);
    }
  }

  /** Marks a read as delivered: the cursor moves past it and fully read segments are deleted. */
  ack(read: SpoolRead): void {
    if (this.inFlight?.read === read) this.inFlight = undefined;
    if (read.cursor.id !== this.segments[0]?.id) return; // its segment was dropped meanwhile
    this.moveTo(read.cursor);
  }

  /** Marks a read as not delivered: it is read again next time, or counted as dropped if the spool dropped it meanwhile. */
  nack(read: SpoolRead): void {
    if (this.inFlight?.read !== read) return;
    this.inFlight = undefined;
    if (!this.segments.some((s) => s.id === read.cursor.id)) this.counters.dropped += read.batch.length;
  }

  /** fsyncs what was appended since the last sync. */
  sync(): void {
    if (!this.dirty || this.fd === undefined) return;
    fs.fsyncSync(this.fd);
    this.dirty = false;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.fd !== undefined) {
      if (this.o.fsync !== 'never') fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private moveTo(cursor: Cursor): void {
    this.cursor = cursor;
    const head = this.segments[0]!;
    if (head !== this.segments.at(-1) && cursor.offset >= head.bytes) {
      this.segments.shift();
      fs.rmSync(head.file, { force: true });
      this.cursor = { id: this.segments[0]!.id, offset: 0, sent: 0 };
    } else if (head === this.segments.at(-1) && cursor.offset >= head.bytes && cursor.sent >= head.records) {
      // Everything delivered: start the file over rather than let it grow.
      this.rewindTail(head);
    }
    this.saveCursor();
  }

  private rewindTail(tail: Segment): void {
    fs.ftruncateSync(this.fd!, 0);
    tail.bytes = 0;
    tail.records = 0;
    this.cursor = { id: tail.id, offset: 0, sent: 0 };
    this.headCache = undefined;
    this.dirty = false; // everything in it was delivered: nothing left to make durable
  }

  private roll(): Segment {
    if (this.fd !== undefined) {
      if (this.o.fsync !== 'never') fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
    }
    const id = (this.segments.at(-1)?.id ?? 0) + 1;
    const segment: Segment = { id, file: segmentFile(this.o.dir, id), bytes: 0, records: 0 };
    this.fd = openPrivateAppend(segment.file);
    this.segments.push(segment);
    if (this.segments.length === 1) this.cursor = { id, offset: 0, sent: 0 };
    return segment;
  }

  private dropOldest(): void {
    const oldest = this.segments.shift()!;
    // The read in flight counts its own batch as dropped if it fails (nack); what it skipped was
    // delivered already. Counting only its batch here counted those as dropped too.
    let elsewhere = this.inFlight?.segment === oldest.id ? this.inFlight.covered : 0;
    for (const [key, h] of this.held) {
      if (h.position.id !== oldest.id) continue;
      // A batch being sent directly counts as dropped only if that send fails (see settle).
      elsewhere += h.position.records;
      if (h.state === 'delivered') this.held.delete(key);
      else h.state = 'orphan';
    }
    const unsent = oldest.records - (this.cursor.id === oldest.id ? this.cursor.sent : 0) - elsewhere;
    this.counters.dropped += unsent;
    fs.rmSync(oldest.file, { force: true });
    if (this.cursor.id === oldest.id) {
      this.cursor = { id: this.segments[0]!.id, offset: 0, sent: 0 };
      this.saveCursor();
    }
  }

  private headBytes(head: Segment): Buffer {
    if (this.headCache?.id !== head.id || this.headCache.bytes !== head.bytes) {
      this.headCache = {
        id: head.id,
        bytes: head.bytes,
        buf: fs.readFileSync(head.file).subarray(0, head.bytes),
      };
    }
    return this.headCache.buf;
  }

  /** Writes the cursor when it moved (while Kafka keeps up it stays at the start of an emptied tail). */
  private saveCursor(): void {
    const file = path.join(this.o.dir, 'cursor');
    const { id, offset, sent } = this.cursor;
    const text = `${id} ${offset} ${sent}\n`;
    if (text === this.savedCursor) return;
    writePrivateFile(`${file}.tmp`, text);
    fs.renameSync(`${file}.tmp`, file);
    this.savedCursor = text;
  }

  /** Rebuilds the segment list from disk, cuts off a torn last write and restores the cursor. */
  private recover(): void {
    const ids = fs
      .readdirSync(this.o.dir)
      .map((name) => SEGMENT.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const saved = this.readCursor();
    if (saved) fs.chmodSync(path.join(this.o.dir, 'cursor'), PRIVATE_FILE_MODE);
    for (const id of ids) {
      const file = segmentFile(this.o.dir, id);
      if (saved && id < saved.id) {
        fs.rmSync(file, { force: true }); // delivered; the crash came before its deletion
        continue;
      }
      fs.chmodSync(file, PRIVATE_FILE_MODE); // an older version left segments readable by all
      const buf = fs.readFileSync(file);
      let offset = 0;
      let records = 0;
      let validEnd = 0;
      while (offset < buf.length) {
        const frame = readFrame(buf, offset);
        if (frame.kind === 'frame') {
          records += batchCount(frame.payload);
          offset = validEnd = frame.end;
        } else if (frame.kind === 'corrupt' && frame.next !== undefined) offset = frame.next;
        else break;
      }
      if (validEnd < buf.length && id === ids.at(-1)) {
        // The last write before a crash was torn: cut it off so appends continue on a clean end.
        fs.truncateSync(file, validEnd);
        this.counters.corrupt++;
      }
      this.segments.push({
        id,
        file,
        bytes: Math.min(buf.length, id === ids.at(-1) ? validEnd : buf.length),
        records,
      });
    }
    const head = this.segments[0];
    if (head && saved?.id === head.id && saved.offset <= head.bytes) this.cursor = saved;
    else if (head) this.cursor = { id: head.id, offset: 0, sent: 0 };
    const tail = this.segments.at(-1);
    if (tail) this.fd = openPrivateAppend(tail.file);
  }

  private readCursor(): Cursor | undefined {
    try {
      const [id, offset, sent] = fs
        .readFileSync(path.join(this.o.dir, 'cursor'), 'utf8')
        .trim()
        .split(' ')
        .map(Number);
      if ([id, offset, sent].every((n) => Number.isInteger(n) && n! >= 0))
        return { id: id!, offset: offset!, sent: sent! };
    } catch {
      // No cursor yet, or a damaged one: read from the oldest segment (re-sends, never loses).
    }
    return undefined;
  }
}
