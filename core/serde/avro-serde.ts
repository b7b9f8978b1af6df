import avro from 'avsc';
import { DecodeError, errorMessage } from '../errors';
import { InternTable, withInternedFields } from './interned-reads';
import { RegistryClient } from './schema-registry';
import { TopicReader, type BodyReader, type Writer } from './topic-reader';
import { frame, HEADER_BYTES, MAGIC_BYTE, schemaIdOf } from './wire-format';

/**
 * Avro in the Confluent wire format with a schema-id cache. `encode`/`decode` are synchronous and
 * pure once the ids they meet are cached; `prepare` is the only step that talks to the registry,
 * and it asks at most once per id (unknown ids are remembered as unknown).
 */
export interface AvroSerde {
  /**
   * Registers `schema` under `<topic>-value` (BACKWARD compatibility) and makes it the topic's
   * reader schema: `decodeFrom(topic, …)` then reads only writer schemas of that subject, resolved to it.
   */
  register(topic: string, schema: object): Promise<number>;
  /** Fetches the writer schemas the records name, and, once a topic is registered, the subjects that hold them. */
  prepare(records: readonly (Buffer | null)[]): Promise<void>;
  encode<T>(schemaId: number, value: T): Buffer;
  /** Reads a record with the writer schema it names, whatever it is. */
  decode<T>(buf: Buffer | null): T;
  /**
   * Reads a record of `topic` into the topic's reader schema (see `register`); throws a DecodeError
   * when its writer schema is not under the topic's subject or does not resolve. A topic never
   * registered here is read as `decode` reads.
   */
  decodeFrom<T>(topic: string, buf: Buffer | null): T;
  /** The writer schema of a cached id as JSON text, as avsc writes it (logical types dropped). */
  writerSchema(id: number): string | undefined;
}

export interface AvroSerdeOptions {
  /** Most schema ids remembered as unknown; past it the oldest is forgotten. */
  maxUnknownIds?: number;
  /**
   * Record fields (strings or maps of strings) whose values repeat across records: each distinct
   * value is decoded once and shared (maps frozen). Default none.
   */
  internedFields?: readonly string[];
  /** Distinct values kept per table (strings, maps); past it the table starts over. Default 65 536. */
  maxInternedValues?: number;
  /** Told each time an interning table starts over (for a counter). */
  onInternReset?: () => void;
  /** Schema ids whose subjects are remembered, and verdicts per topic; past it the oldest is forgotten. Default 1024. */
  maxCheckedIds?: number;
}

/** avsc's reading cursor (not in its typings): a buffer and a position, with the read methods types use. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Tap: AvscTap } = require('avsc/lib/utils') as {
  Tap: new (buf: Buffer) => { buf: Buffer; pos: number };
};
const EMPTY = Buffer.alloc(0);
/** One cursor for every read: reads are synchronous, so none overlaps another. */
const tap = new AvscTap(EMPTY);

/**
 * The body of a framed record, read where it lies: as avsc's `fromBuffer` reads it (the same
 * checks and messages), without a view of the body and a cursor made for every record.
 */
function readBody(type: BodyReader, frame: Buffer): unknown {
  tap.buf = frame;
  tap.pos = HEADER_BYTES;
  try {
    const value = type._read(tap);
    if (tap.pos > frame.length) throw new Error('truncated buffer');
    if (tap.pos < frame.length) throw new Error('trailing data');
    return value;
  } finally {
    tap.buf = EMPTY; // holds no record between reads
  }
}

/** Where `encode` writes a record before copying it out (encoding is synchronous: one is enough). */
const scratch = Buffer.allocUnsafe(64 * 1024);

export function createAvroSerde(registry: RegistryClient, options: AvroSerdeOptions = {}): AvroSerde {
  const maxUnknown = options.maxUnknownIds ?? 1024;
  const maxChecked = options.maxCheckedIds ?? 1024;
  const types = new Map<number, avro.Type>();
  const writers = new Map<number, Writer>();
  const subjects = new Map<number, readonly string[]>();
  const readers = new Map<string, TopicReader>();
  const schemas = new Map<number, string>();
  const unknown = new Set<number>();
  const interned = new Set(options.internedFields ?? []);
  const maxInterned = options.maxInternedValues ?? 65_536;
  const tables = {
    strings: new InternTable(maxInterned, options.onInternReset),
    maps: new InternTable(maxInterned, options.onInternReset),
  };
  const typeFrom = (type: avro.Type) =>
    interned.size > 0 ? withInternedFields(type, interned, tables) : type;
  const remember = (id: number, type: avro.Type) => {
    schemas.set(id, JSON.stringify(type.schema({ exportAttrs: true })));
    const read = typeFrom(type);
    types.set(id, read);
    writers.set(id, { type, read: read as unknown as BodyReader });
  };

  const typeFor = (id: number): avro.Type => {
    const type = types.get(id);
    if (type) return type;
    throw new DecodeError('TW_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`);
  };

  return {
    async register(topic, schema) {
      const id = await registry.register(`${topic}-value`, schema);
      remember(id, avro.Type.forSchema(schema as avro.Schema));
      readers.set(topic, new TopicReader(topic, schema, maxChecked));
      return id;
    },

    async prepare(records) {
      const ids = new Set<number>();
      for (const buf of records) {
        try {
          ids.add(schemaIdOf(buf));
        } catch {
          // a bad frame is decode's to report
        }
      }
      for (const id of ids) {
        if (types.has(id) || unknown.has(id)) continue;
        try {
          remember(id, await registry.fetch(id));
        } catch (err) {
          if (!(err instanceof DecodeError)) throw err;
          if (unknown.size >= maxUnknown) unknown.delete(unknown.values().next().value as number);
          unknown.add(id);
        }
      }
      if (readers.size === 0) return; // no topic to check ids against
      for (const id of ids) {
        if (!types.has(id) || subjects.has(id)) continue;
        const held = await registry.subjectsOf(id);
        if (subjects.size >= maxChecked) subjects.delete(subjects.keys().next().value!);
        subjects.set(id, held);
      }
    },

    encode(schemaId, value) {
      const type = typeFor(schemaId);
      // Written after the header in scratch space, then copied out once into a pooled buffer:
      // `toBuffer` zero-fills an unpooled buffer per record and `frame` copied it again (derived
      // topics encode about one record per sample). A record past the scratch space goes the long way.
      const end = type.encode(value, scratch, HEADER_BYTES);
      if (end < 0) return frame(schemaId, type.toBuffer(value));
      const out = Buffer.allocUnsafe(end);
      scratch.copy(out, 0, 0, end);
      out[0] = MAGIC_BYTE;
      out.writeUInt32BE(schemaId, 1);
      return out;
    },

    writerSchema: (id) => schemas.get(id),

    decode<T>(buf: Buffer | null): T {
      return read<T>(typeFor(schemaIdOf(buf)) as unknown as BodyReader, buf as Buffer);
    },

    decodeFrom<T>(topic: string, buf: Buffer | null): T {
      const id = schemaIdOf(buf);
      const reader = readers.get(topic);
      if (!reader) return read<T>(typeFor(id) as unknown as BodyReader, buf as Buffer);
      return read<T>(reader.reader(id, writers, subjects), buf as Buffer);
    },
  };
}

function read<T>(type: BodyReader, buf: Buffer): T {
  try {
    return readBody(type, buf) as T;
  } catch (err) {
    throw new DecodeError(
      'TW_ERR_AVRO_DECODE',
      `Avro body does not match its schema: ${errorMessage(err)}`,
      err,
    );
  }
}
