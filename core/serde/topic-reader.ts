import avro from 'avsc';
import { DecodeError, errorMessage } from '../errors';

/** avsc's reading cursor, as a type's or a resolver's `_read` takes it. */
export interface Tap {
  buf: Buffer;
  pos: number;
}

/** What reads one Avro body: a type, or a resolver from a writer schema to a reader schema. */
export interface BodyReader {
  _read(tap: Tap): unknown;
}

/** The writer schema of an id as the serde holds it: avsc's type, and the one it reads with (interned fields). */
export interface Writer {
  type: avro.Type;
  read: BodyReader;
}

const listed = (subjects: readonly string[]) =>
  subjects.length === 0
    ? 'no subject'
    : subjects
        .slice(0, 3)
        .map((s) => JSON.stringify(s.slice(0, 120)))
        .join(', ') + (subjects.length > 3 ? ` and ${subjects.length - 3} more` : '');

/**
 * The schema a topic's records are read into (the reader schema its processor was built for),
 * and what each writer schema id may be read with: a writer registered under the topic's subject
 * (`<topic>-value`) whose canonical form is the reader's reads with its own (interned) type, the
 * fast path; one that differs reads through avsc's resolver (fields added or removed with
 * defaults, promoted numbers), so the values always have the reader's types. A writer under
 * another subject only, or one that does not resolve, is refused with a DecodeError. Verdicts are
 * kept per id, at most `maxIds` (past it the oldest is forgotten and worked out again when met).
 */
export class TopicReader {
  readonly subject: string;
  readonly type: avro.Type;
  private readonly verdicts = new Map<number, BodyReader | DecodeError>();

  constructor(
    topic: string,
    schema: object,
    private readonly maxIds = 1024,
  ) {
    this.subject = `${topic}-value`;
    this.type = avro.Type.forSchema(schema as avro.Schema);
  }

  /**
   * What reads a body of writer `id`, or throws the DecodeError that says why it must not be read.
   * `writers` and `subjects` are the serde's (schema and subjects per id), read the first time an id is met.
   */
  reader(
    id: number,
    writers: ReadonlyMap<number, Writer>,
    subjects: ReadonlyMap<number, readonly string[]>,
  ): BodyReader {
    const known = this.verdicts.get(id);
    if (known !== undefined) {
      if (known instanceof DecodeError) throw known;
      return known;
    }
    return this.decide(id, writers.get(id), subjects.get(id));
  }

  private decide(
    id: number,
    writer: Writer | undefined,
    subjects: readonly string[] | undefined,
  ): BodyReader {
    if (!writer) throw new DecodeError('TW_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`);
    if (!subjects) {
      // Not looked up (more ids in one batch than are remembered): refused, and not remembered.
      throw new DecodeError(
        'TW_ERR_FOREIGN_SCHEMA',
        `the subjects of schema id ${id} were not looked up, so it cannot be checked against ${this.subject}`,
      );
    }
    const verdict = this.judge(id, writer, subjects);
    if (this.verdicts.size >= this.maxIds) this.verdicts.delete(this.verdicts.keys().next().value!);
    this.verdicts.set(id, verdict);
    if (verdict instanceof DecodeError) throw verdict;
    return verdict;
  }

  private judge(id: number, writer: Writer, subjects: readonly string[]): BodyReader | DecodeError {
    if (!subjects.includes(this.subject)) {
      return new DecodeError(
        'TW_ERR_FOREIGN_SCHEMA',
        `schema id ${id} is registered under ${listed(subjects)}, not under ${this.subject}`,
      );
    }
    if (this.type.equals(writer.type)) return writer.read;
    try {
      return this.type.createResolver(writer.type) as unknown as BodyReader;
    } catch (err) {
      return new DecodeError(
        'TW_ERR_SCHEMA_MISMATCH',
        `writer schema id ${id} cannot be read as ${this.type.name ?? this.type.typeName}: ${errorMessage(err).slice(0, 300)}`,
        err,
      );
    }
  }
}
