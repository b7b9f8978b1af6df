import avro from 'avsc';

/** The part of avsc's reading cursor a reader touches. */
interface Tap {
  buf: Buffer;
  pos: number;
}

interface Readable {
  _read(tap: Tap): unknown;
  _skip(tap: Tap): void;
}

/** Encodings longer than this are read afresh every time, never kept (a sample's repeated fields are far shorter). */
export const MAX_INTERNED_BYTES = 1024;

/** FNV-1a over `buf[start, end)`, as a signed 32-bit number. */
function hashBytes(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 | 0;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  return h;
}

/**
 * Values read once per distinct encoding, keyed by their bytes: the lookup hashes and compares the
 * bytes where they lie, so reading a known value allocates nothing (no key string is built). Keys
 * are copied into one buffer of at most `maxEntries * 64` bytes (at least 64 KiB), found through
 * an open-addressing table of numbers. Past `maxEntries`, or past that buffer, it starts over
 * empty (and `onReset` is told, for a counter): later reads then build their values afresh until
 * they are met again, so a shifting working set costs allocation, never memory.
 */
export class InternTable {
  private readonly maxBytes: number;
  private keys: Buffer;
  private used = 0;
  private count = 0;
  private readonly starts: Int32Array;
  private readonly lengths: Int32Array;
  private readonly values: unknown[];
  /** Entry index + 1 (0: empty) and the key's hash, per slot; at least twice `maxEntries` slots. */
  private readonly slots: Int32Array;
  private readonly hashes: Int32Array;

  constructor(
    readonly maxEntries: number,
    private readonly onReset?: () => void,
  ) {
    if (!(maxEntries >= 1)) throw new Error('an intern table needs room for at least one entry');
    this.maxBytes = Math.max(64 * 1024, maxEntries * 64);
    this.keys = Buffer.allocUnsafe(Math.min(this.maxBytes, 64 * 1024));
    this.starts = new Int32Array(maxEntries);
    this.lengths = new Int32Array(maxEntries);
    this.values = new Array<unknown>(maxEntries);
    let slots = 2;
    while (slots < maxEntries * 2) slots *= 2;
    this.slots = new Int32Array(slots);
    this.hashes = new Int32Array(slots);
  }

  get size(): number {
    return this.count;
  }

  /** The value kept for the encoding `buf[start, end)`, or undefined. */
  get(buf: Uint8Array, start: number, end: number): unknown {
    const i = this.slotOf(buf, start, end, hashBytes(buf, start, end));
    return i < 0 ? undefined : this.values[this.slots[i]! - 1];
  }

  /** Keeps `value` for the encoding `buf[start, end)` (not yet held); too long an encoding is not kept. */
  set(buf: Uint8Array, start: number, end: number, value: unknown): void {
    const length = end - start;
    if (length > MAX_INTERNED_BYTES) return;
    if (this.count >= this.maxEntries || this.used + length > this.maxBytes) this.clear();
    if (this.used + length > this.keys.length) {
      const keys = Buffer.allocUnsafe(
        Math.min(this.maxBytes, Math.max(this.keys.length * 2, this.used + length)),
      );
      this.keys.copy(keys, 0, 0, this.used);
      this.keys = keys;
    }
    const entry = this.count++;
    this.keys.set(buf.subarray(start, end), this.used);
    this.starts[entry] = this.used;
    this.lengths[entry] = length;
    this.values[entry] = value;
    this.used += length;
    const h = hashBytes(buf, start, end);
    const mask = this.slots.length - 1;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = entry + 1;
    this.hashes[i] = h;
  }

  /** The slot holding the encoding, or -1. */
  private slotOf(buf: Uint8Array, start: number, end: number, h: number): number {
    const mask = this.slots.length - 1;
    const length = end - start;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const held = this.slots[i]!;
      if (held === 0) return -1;
      if (this.hashes[i] !== h || this.lengths[held - 1] !== length) continue;
      const keys = this.keys;
      const at = this.starts[held - 1]! - start;
      let j = start;
      while (j < end && keys[at + j] === buf[j]) j++;
      if (j === end) return i;
    }
  }

  private clear(): void {
    this.slots.fill(0);
    this.values.fill(undefined, 0, this.count);
    this.count = 0;
    this.used = 0;
    this.onReset?.();
  }
}

/**
 * A reader of `type` that returns one shared value per distinct encoding (maps frozen, so no
 * holder can change what others see). The encoding is found by skipping the value; anything
 * that does not skip cleanly is read by avsc itself, so malformed input fails exactly as before.
 */
function internedReader(type: Readable, table: InternTable, freeze: boolean): (tap: Tap) => unknown {
  return (tap) => {
    const start = tap.pos;
    type._skip(tap);
    const end = tap.pos;
    const buf = tap.buf;
    if (end <= start || end > buf.length) {
      tap.pos = start;
      return type._read(tap);
    }
    let value = table.get(buf, start, end);
    if (value === undefined) {
      tap.pos = start;
      value = type._read(tap);
      if (freeze) Object.freeze(value);
      table.set(buf, start, end, value);
      tap.pos = end;
    }
    return value;
  };
}

const isStrings = (t: avro.Type) =>
  t.typeName === 'string' ||
  (t.typeName === 'map' && (t as avro.types.MapType).valuesType.typeName === 'string');

/**
 * `type` (a record) reading the named string and string-map fields through the tables: the host,
 * metric and attributes of a sample repeat across millions of records, and one shared string or
 * object per distinct value is then all that stays alive (no copy per record for the collector to
 * move while the record is in flight). Other fields, and types that are not records, read as
 * before. Decoded values are the same; maps come back frozen. avsc's types are frozen, so this is
 * a new object on top of `type` with only its reader replaced.
 */
export function withInternedFields(
  type: avro.Type,
  names: ReadonlySet<string>,
  tables: { strings: InternTable; maps: InternTable },
): avro.Type {
  if (!(type instanceof avro.types.RecordType)) return type;
  const record = type as avro.types.RecordType & { recordConstructor: unknown };
  const chosen = (field: avro.types.Field) => names.has(field.name) && isStrings(field.type);
  if (!record.fields.some(chosen)) return type;
  const readers = record.fields.map((field) => {
    const t = field.type as avro.Type & Readable;
    if (!chosen(field)) return (tap: Tap) => t._read(tap);
    return t.typeName === 'map'
      ? internedReader(t, tables.maps, true)
      : internedReader(t, tables.strings, false);
  });
  // As avsc builds its own readers: one constructor call with the fields read left to right.
  const args = readers.map((_, i) => `r${i}`);
  const read = new Function(
    'C',
    ...args,
    `return function (t) { return new C(${args.map((a) => `${a}(t)`).join(', ')}); };`,
  )(record.recordConstructor, ...readers) as (tap: Tap) => unknown;
  return Object.create(type, { _read: { value: read } }) as avro.Type;
}
