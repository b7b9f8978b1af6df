/** What one produce request may carry. */
export interface RequestLimits {
  /** Bytes of records (uncompressed, with their framing) per request. */
  maxBytes: number;
  /** Records per request. */
  maxRecords: number;
  /**
   * The topic's partition count, when known: then every request carries one partition's records
   * (`boundedProduce`), so the byte limit is exactly the broker's per-batch limit and a refused
   * request leaves the idempotent producer's sequence numbers as the broker has them.
   */
  partitions?: number;
}

export interface SplitRequests<M> {
  /** Consecutive runs of the input, in order, each within the limits. */
  requests: M[][];
  /** Records that alone exceed `maxBytes`: they can never be written as they are. */
  oversized: M[];
}

/**
 * Cuts a batch into produce requests: in input order, each request as full as the limits allow
 * (bytes and records), a record larger than `maxBytes` on its own set apart. Sizes are measured
 * uncompressed, so a request is within the limit whatever compression makes of it.
 */
export function splitRequests<M>(
  records: readonly M[],
  size: (record: M) => number,
  limits: RequestLimits,
): SplitRequests<M> {
  if (!(limits.maxBytes > 0) || !(limits.maxRecords >= 1)) {
    throw new RangeError(
      `produce limits must be positive (got ${limits.maxBytes} bytes, ${limits.maxRecords} records)`,
    );
  }
  const requests: M[][] = [];
  const oversized: M[] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const record of records) {
    const n = size(record);
    if (n > limits.maxBytes) {
      oversized.push(record);
      continue;
    }
    if (current.length > 0 && (bytes + n > limits.maxBytes || current.length >= limits.maxRecords)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += n;
  }
  if (current.length > 0) requests.push(current);
  return { requests, oversized };
}

/**
 * A record's bytes in a v2 record batch, uncompressed, at most: key and value plus the record's
 * own framing (length, attributes, timestamp and offset deltas, key and value lengths, header
 * count; varints of up to 5 bytes each, 10 for the timestamp delta).
 */
export const RECORD_OVERHEAD = 40;

/** The record batch's own header (base offset … record count), once per partition in a request. */
export const BATCH_OVERHEAD = 61;

export function recordSize(key: Buffer | string | null, value: Buffer | null): number {
  const k = key === null ? 0 : typeof key === 'string' ? Buffer.byteLength(key) : key.length;
  return RECORD_OVERHEAD + k + (value?.length ?? 0);
}
