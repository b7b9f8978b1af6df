import type { DeadLetter } from '../../schemas';

/** The longest reason a dead letter keeps when it has to be cut (characters). */
export const MAX_CUT_REASON = 1024;

/** The longest original key a dead letter keeps once its value alone could not make it fit. */
export const MAX_CUT_KEY = 256;

/**
 * A dead letter cut down until `size` (its bytes as a Kafka record) is at most `maxBytes`, its
 * metadata (source topic, partition, offset, error code, time) kept: first the original value is
 * cut to what fits, and a reason longer than `MAX_CUT_REASON` is cut; if that is not enough, the
 * value goes and the key is cut to `MAX_CUT_KEY` bytes. The reason says what was cut. Undefined
 * if even that does not fit.
 */
export function fitDeadLetter(
  letter: DeadLetter,
  size: (letter: DeadLetter) => number,
  maxBytes: number,
): DeadLetter | undefined {
  const first = size(letter);
  if (first <= maxBytes) return letter;
  const value = letter.original_value;
  const key = letter.original_key;
  const reason =
    letter.reason.length > MAX_CUT_REASON ? letter.reason.slice(0, MAX_CUT_REASON) : letter.reason;
  const note = (keptValue: number, keptKey: number) =>
    `${reason} [cut to fit ${maxBytes} bytes: original_value ${value?.length ?? 0} → ${keptValue} bytes` +
    (keptKey === (key?.length ?? 0) ? ']' : `, original_key ${key?.length ?? 0} → ${keptKey} bytes]`);
  const cut = (valueBytes: number, keyBytes: number): DeadLetter => {
    const v = value === null ? null : value.subarray(0, Math.max(0, valueBytes));
    const k = key === null ? null : key.subarray(0, Math.max(0, keyBytes));
    return { ...letter, original_value: v, original_key: k, reason: note(v?.length ?? 0, k?.length ?? 0) };
  };
  // The value shrinks by what is over; the lengths' varints and the note may take a little more.
  let candidate = cut(value === null ? 0 : value.length, key?.length ?? 0);
  for (let i = 0; i < 3; i++) {
    const over = size(candidate) - maxBytes;
    if (over <= 0) return candidate;
    const kept = candidate.original_value?.length ?? 0;
    if (kept === 0) break;
    candidate = cut(kept - over - 16, key?.length ?? 0);
  }
  if (size(candidate) <= maxBytes) return candidate;
  candidate = cut(0, Math.min(key?.length ?? 0, MAX_CUT_KEY));
  return size(candidate) <= maxBytes ? candidate : undefined;
}
