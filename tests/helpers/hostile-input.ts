/**
 * Hostile requests for the gateway fuzz test, drawn from a seeded PRNG so that a failure names
 * the seed and index that reproduce it.
 */

/** mulberry32: a small, well-known 32-bit PRNG; the same seed gives the same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Pick = <T>(items: readonly T[]) => T;
export const picker =
  (random: () => number): Pick =>
  (items) =>
    items[Math.floor(random() * items.length)]!;

export const randomBytes = (random: () => number, n: number) =>
  Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));

export const ROUTES = [
  '/',
  '/index.html',
  '/app.js',
  '/style.css',
  '/metrics',
  '/ready',
  '/ws',
  '/api/sql',
  '/api/hosts',
  '/api/hosts/web-1',
  '/api/hosts/web-1/processes',
  '/api/series',
  '/api/anomalies',
  '/api/pipeline/stats',
  '/api/system/stats',
  '/api/system/disk',
  '/api/nope',
];

export const HOSTILE_PATHS: (string | Buffer)[] = [
  '/../../../../etc/passwd',
  '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/%00',
  '/index.html%00.js',
  '/%E0%A4%A',
  '/%ff%fe%fd',
  '/%',
  '/api/hosts/%',
  '/api/hosts/%E0%A4%A/processes',
  '//evil.example/',
  '/\\evil.example',
  `/${'a'.repeat(8000)}`,
  `/api/hosts/${'x'.repeat(4000)}`,
  '*',
  'http://[::1',
  'http://evil.example/api/hosts',
  Buffer.from([0x2f, 0xff, 0xfe, 0x80, 0xc0, 0xaf]),
  Buffer.from([0x2f, 0x61, 0x70, 0x69, 0x2f, 0xc3, 0x28]),
];

export const QUERY_KEYS = ['host', 'metric', 'state', 'range', 'hours', 'limit', 'token', 'from', 'to'];
export const QUERY_VALUES = [
  '',
  '-1',
  '0',
  '1e309',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  "web-1' OR 1=1 --",
  'system.cpu.utilization',
  'system.*',
  '.*',
  '%',
  '%E0%A4%A',
  '%00',
  'a'.repeat(3000),
  '7d',
  '__proto__',
  'constructor',
  '[]',
  '{}',
];

export const BODIES: (string | Buffer)[] = [
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '12',
  '{"query": 1}',
  '{"query": ""}',
  '{"query": "SELECT 1", "params": {"a b": 1}}',
  '{"query": "SELECT 1", "params": {"x": {"nested": true}}}',
  '{"query": "SELECT 1", "extra": true}',
  '{"query": "SELECT {x:String}", "params": {"x": 1}}',
  '{"query": "DROP TABLE tidewatch.metrics"}',
  '{"query": "SELECT * FROM system.numbers"}',
  '{"query": "SELECT 1; SELECT 2"}',
  '{"__proto__": {"query": "SELECT 1"}}',
  JSON.stringify({ query: 'x'.repeat(30_000) }),
  '['.repeat(20_000) + ']'.repeat(20_000),
  'a'.repeat(70 * 1024),
];

export const WS_FRAMES: (string | Buffer)[] = [
  'not json',
  '{',
  '',
  'null',
  '[]',
  '1',
  '{"type":"subscribe","streams":"samples"}',
  '{"type":"subscribe","streams":[1,2]}',
  '{"type":"subscribe","streams":["nope"]}',
  '{"type":"subscribe","hosts":[{"a":1}]}',
  '{"type":"subscribe","hosts":"web-1"}',
  '{"type":"subscribe","extra":1}',
  '{"type":"unsubscribe"}',
  '{"op":"hack","args":[1]}',
  '{"__proto__":{"type":"subscribe"}}',
  '{"type":"subscribe","streams":["samples","pipeline"],"hosts":["web-1"]}',
  '['.repeat(30_000) + ']'.repeat(30_000),
  JSON.stringify({ type: 'subscribe', hosts: Array.from({ length: 2000 }, (_, i) => `h${i}`) }),
];
