import type { DeadLetter } from '../../schemas';
import { fitDeadLetter, MAX_CUT_KEY, MAX_CUT_REASON } from './fit-dead-letter';

const letter = (value: number, key = 8, reason = 'bad'): DeadLetter => ({
  source_topic: 'tidewatch.metrics.v1',
  source_partition: 3,
  source_offset: '123456789012',
  error_code: 'TW_ERR_AVRO_DECODE',
  reason,
  original_key: Buffer.alloc(key, 'k'),
  original_value: Buffer.alloc(value, 'v'),
  ts: 1_700_000_000_000,
});

// A stand-in for the encoded record's size: its byte fields, key counted twice (Kafka key and field).
const size = (l: DeadLetter) =>
  100 + Buffer.byteLength(l.reason) + 2 * (l.original_key?.length ?? 0) + (l.original_value?.length ?? 0);

const metadata = (l: DeadLetter) => [l.source_topic, l.source_partition, l.source_offset, l.error_code, l.ts];

describe('fitDeadLetter', () => {
  it('leaves a dead letter that fits as it is', () => {
    const l = letter(100);
    expect(fitDeadLetter(l, size, 10_000)).toBe(l);
  });

  it('cuts the original value to what fits, keeps the metadata and says so in the reason', () => {
    const l = letter(50_000);
    const fitted = fitDeadLetter(l, size, 10_000)!;
    expect(size(fitted)).toBeLessThanOrEqual(10_000);
    expect(fitted.original_value!.length).toBeGreaterThan(9_000);
    expect(fitted.original_value!.equals(l.original_value!.subarray(0, fitted.original_value!.length))).toBe(
      true,
    );
    expect(metadata(fitted)).toEqual(metadata(l));
    expect(fitted.original_key).toEqual(l.original_key);
    expect(fitted.reason).toMatch(/^bad \[cut to fit 10000 bytes: original_value 50000 → \d+ bytes\]$/);
  });

  it('cuts a long reason, and the key once the value alone is not enough', () => {
    const l = letter(5_000, 40_000, 'r'.repeat(20_000));
    const fitted = fitDeadLetter(l, size, 10_000)!;
    expect(size(fitted)).toBeLessThanOrEqual(10_000);
    expect(fitted.original_value!.length).toBe(0);
    expect(fitted.original_key!.length).toBe(MAX_CUT_KEY);
    expect(fitted.reason.startsWith('r'.repeat(MAX_CUT_REASON) + ' [cut')).toBe(true);
    expect(fitted.reason).toContain('original_key 40000 → 256 bytes');
    expect(metadata(fitted)).toEqual(metadata(l));
  });

  it('gives up when even the metadata does not fit', () => {
    expect(fitDeadLetter(letter(5_000), size, 50)).toBeUndefined();
  });
});
