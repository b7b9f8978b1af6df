import avro from 'avsc';

/** The part of avsc's reading cursor a reader touches. */
interface Tap {
  /** Node's Buffer, with the unchecked slicer avsc itself reads strings with. */
  buf: Buffer & { latin1Slice(start: number, end: number): string };
  pos: number;
}

interface Readable {
  _read(tap: Tap): unknown;
  _skip(tap: Tap): void;
}

/**
 * Values read once per distinct encoding, keyed by their bytes. Past `maxEntries` it starts over
 * empty (and `onReset` is told, for a counter): later reads then build their values afresh
 * until they are met again, so a shifting working set costs allocation, never memory.
 */
export class InternTable {
  private readonly values = new Map<string, unknown>();

  constructor(
    readonly maxEntries: number,
    private readonly onReset?: () => void,
  ) {}

  get size(): number {
    return this.values.size;
  }

  get(key: string): unknown {
    return this.values.get(key);
  }

  set(key: string, value: unknown): void {
    if (this.values.size >= this.maxEntries) {
      this.values.clear();
      this.onReset?.();
    }
    this.values.set(key, value);
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
    if (end <= start || end > tap.buf.length) {
      tap.pos = start;
      return type._read(tap);
    }
    const key = tap.buf.latin1Slice(start, end);
    let value = table.get(key);
    if (value === undefined) {
      tap.pos = start;
      value = type._read(tap);
      if (freeze) Object.freeze(value);
      table.set(key, value);
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
