import type { DeadLetter } from '../../schemas';

/** The bytes a dead letter keeps of a record that has no Kafka value of its own: its JSON, if it has one. */
function jsonBytes(record: unknown): Buffer | null {
  try {
    const text = JSON.stringify(record);
    return text === undefined ? null : Buffer.from(text);
  } catch {
    return null; // cycles, bigints: the reason still says what failed
  }
}

/**
 * The dead letter of a record Tidewatch derived (an aggregate, an incident) and could not
 * publish to `topic`: there is no source offset (partition -1, offset "-1"); the value is the
 * encoded record if it was encoded, else the record as JSON. The dead-letter topic cuts what is
 * too large for it.
 */
export function derivedDeadLetter(o: {
  topic: string;
  code: string;
  reason: string;
  key: Buffer | string | null;
  value: Buffer | null;
  record: unknown;
  now: number;
}): DeadLetter {
  return {
    source_topic: o.topic,
    source_partition: -1,
    source_offset: '-1',
    error_code: o.code,
    reason: o.reason,
    original_key: o.key === null ? null : typeof o.key === 'string' ? Buffer.from(o.key) : o.key,
    original_value: o.value ?? jsonBytes(o.record),
    ts: o.now,
  };
}
