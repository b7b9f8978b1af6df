/**
 * Broker answers that blame the records themselves: sending them again can never succeed, but
 * a smaller request, or the request without the offending record, can. Everything else (broker
 * away, leader moving, timeouts, throttling) is worth retrying as it is.
 */
export const PERMANENT_PRODUCE_ERRORS = new Set([
  'MESSAGE_TOO_LARGE', // a record batch above the topic's max.message.bytes
  'RECORD_LIST_TOO_LARGE', // a record batch above the segment size
  'INVALID_RECORD', // a record the broker's validation refused (e.g. a compacted topic's null key)
]);

/**
 * The kafkajs error type (`MESSAGE_TOO_LARGE` …) if `err`, or an error it wraps (kafkajs wraps
 * in `cause`, `originalError` or an aggregate's `errors`), is a permanent rejection of the
 * records; otherwise undefined.
 */
export function permanentProduceError(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0 && seen.size < 32) {
    const e = pending.pop();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const { type, cause, originalError, errors } = e as {
      type?: unknown;
      cause?: unknown;
      originalError?: unknown;
      errors?: unknown;
    };
    if (typeof type === 'string' && PERMANENT_PRODUCE_ERRORS.has(type)) return type;
    pending.push(cause, originalError);
    if (Array.isArray(errors)) pending.push(...errors);
  }
  return undefined;
}
