import type { MetricSample } from '../../schemas';

/** What a sample must satisfy to enter storage and aggregates (lengths in UTF-8 bytes). */
export interface SampleLimits {
  /** How far ahead of now an event time may be. */
  maxFutureSkewMs: number;
  /** Event times before this (epoch ms) are absurd. */
  earliestTs: number;
  maxHostBytes: number;
  maxMetricBytes: number;
  maxUnitBytes: number;
  maxEventIdBytes: number;
  maxAttributes: number;
  maxAttributeKeyBytes: number;
  maxAttributeValueBytes: number;
}

/** A refused sample's code and reason. */
export type Verdict = [code: string, reason: string] | undefined;

/** Whether `s` takes more than `max` bytes in UTF-8: 1 to 3 bytes per UTF-16 unit, so it is counted only when its length does not settle it. */
function overBytes(s: string, max: number): boolean {
  if (s.length > max) return true;
  if (s.length * 3 <= max) return false;
  return Buffer.byteLength(s, 'utf8') > max;
}

/** The start of a string too long to show, quoted. */
const start = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** An event time as ISO text, or as a number when no Date can hold it. */
const timeText = (ts: number) => (Math.abs(ts) <= 8.64e15 ? new Date(ts).toISOString() : String(ts));

const describe = (v: unknown) =>
  v === undefined ? 'missing' : v === null ? 'null' : Array.isArray(v) ? 'an array' : `a ${typeof v}`;

function checkString(s: MetricSample, field: 'event_id' | 'host' | 'metric' | 'unit', max: number): Verdict {
  const v: unknown = s[field];
  if (typeof v !== 'string') return ['TW_ERR_INVALID_FIELD', `${field} is ${describe(v)}, not a string`];
  if (overBytes(v, max))
    return [
      'TW_ERR_OVERSIZE_FIELD',
      `${field} ${start(v)} is ${Buffer.byteLength(v)} bytes, longer than the ${max}-byte limit`,
    ];
  return undefined;
}

/** The attributes' own verdict: a map of at most `maxAttributes` strings, keys and values within their limits. */
function checkAttributes(attributes: unknown, o: SampleLimits): Verdict {
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes))
    return ['TW_ERR_INVALID_FIELD', `attributes are ${describe(attributes)}, not a map of strings`];
  let count = 0;
  for (const k of Object.keys(attributes)) {
    if (++count > o.maxAttributes) break;
    const v: unknown = (attributes as Record<string, unknown>)[k];
    if (typeof v !== 'string')
      return ['TW_ERR_INVALID_FIELD', `attribute ${start(k)} is ${describe(v)}, not a string`];
    if (overBytes(k, o.maxAttributeKeyBytes))
      return [
        'TW_ERR_OVERSIZE_ATTRIBUTES',
        `attribute key ${start(k)} is longer than ${o.maxAttributeKeyBytes} bytes`,
      ];
    if (overBytes(v, o.maxAttributeValueBytes))
      return [
        'TW_ERR_OVERSIZE_ATTRIBUTES',
        `attribute ${start(k)} has a value longer than ${o.maxAttributeValueBytes} bytes`,
      ];
  }
  if (count > o.maxAttributes)
    return ['TW_ERR_OVERSIZE_ATTRIBUTES', `more than ${o.maxAttributes} attributes`];
  return undefined;
}

/**
 * Why a decoded sample must be refused, or undefined. Types are checked, not assumed: a field of
 * the wrong type is refused with its own code, never compared as `undefined`. `checked` holds
 * attribute maps already found good: the serde hands every sample of a series one frozen map,
 * so each distinct map is checked once.
 */
export function checkSample(
  s: MetricSample,
  now: number,
  o: SampleLimits,
  checked: WeakSet<object>,
): Verdict {
  if (typeof s.value !== 'number' || !Number.isFinite(s.value))
    return ['TW_ERR_INVALID_VALUE', `value ${String(s.value).slice(0, 40)} is not a finite number`];
  const strings =
    checkString(s, 'host', o.maxHostBytes) ??
    checkString(s, 'metric', o.maxMetricBytes) ??
    checkString(s, 'unit', o.maxUnitBytes) ??
    checkString(s, 'event_id', o.maxEventIdBytes);
  if (strings) return strings;
  if (typeof s.ts !== 'number') return ['TW_ERR_INVALID_FIELD', `ts is ${describe(s.ts)}, not a number`];
  if (!Number.isFinite(s.ts) || s.ts < o.earliestTs)
    return [
      'TW_ERR_INVALID_TIMESTAMP',
      `event time ${s.ts} is before ${new Date(o.earliestTs).toISOString()}`,
    ];
  if (s.ts > now + o.maxFutureSkewMs)
    return [
      'TW_ERR_INVALID_TIMESTAMP',
      `event time ${timeText(s.ts)} is more than ${o.maxFutureSkewMs} ms in the future`,
    ];
  const attributes: unknown = s.attributes;
  if (typeof attributes === 'object' && attributes !== null && checked.has(attributes)) return undefined;
  const verdict = checkAttributes(attributes, o);
  if (!verdict && Object.isFrozen(attributes)) checked.add(attributes as object);
  return verdict;
}
