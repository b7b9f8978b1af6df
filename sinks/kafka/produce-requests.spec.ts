import { recordSize, splitRequests, type RequestLimits } from './produce-requests';

const bySize = (n: number) => n;

/** The plain version: one pass deciding, for each record, whether it opens a new request. */
function plainSplit(sizes: number[], limits: RequestLimits) {
  const fitting = sizes.filter((n) => n <= limits.maxBytes);
  const requests: number[][] = [];
  for (const n of fitting) {
    const last = requests[requests.length - 1];
    const sum = last ? last.reduce((a, b) => a + b, 0) : 0;
    if (last && sum + n <= limits.maxBytes && last.length < limits.maxRecords) last.push(n);
    else requests.push([n]);
  }
  return { requests, oversized: sizes.filter((n) => n > limits.maxBytes) };
}

/** A small seeded generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('splitRequests', () => {
  it('gives nothing for an empty batch', () => {
    expect(splitRequests([], bySize, { maxBytes: 10, maxRecords: 2 })).toEqual({
      requests: [],
      oversized: [],
    });
  });

  it('cuts by bytes: a request is as full as it can be without passing the limit', () => {
    expect(splitRequests([4, 4, 2, 3, 10, 1], bySize, { maxBytes: 10, maxRecords: 100 }).requests).toEqual([
      [4, 4, 2],
      [3],
      [10],
      [1],
    ]);
  });

  it('cuts by count', () => {
    expect(splitRequests([1, 1, 1, 1, 1], bySize, { maxBytes: 100, maxRecords: 2 }).requests).toEqual([
      [1, 1],
      [1, 1],
      [1],
    ]);
  });

  it('sets apart a record larger than a request on its own, and keeps the others in order', () => {
    expect(splitRequests([3, 11, 3, 3, 50], bySize, { maxBytes: 10, maxRecords: 100 })).toEqual({
      requests: [[3, 3, 3]],
      oversized: [11, 50],
    });
  });

  it('refuses limits that could never make progress', () => {
    expect(() => splitRequests([1], bySize, { maxBytes: 0, maxRecords: 1 })).toThrow(RangeError);
    expect(() => splitRequests([1], bySize, { maxBytes: 10, maxRecords: 0 })).toThrow(RangeError);
  });

  it('agrees with the plain version, and keeps every record once, under random batches and limits', () => {
    const next = random(20261207);
    const problems: string[] = [];
    for (let round = 0; round < 300; round++) {
      const limits = { maxBytes: 1 + Math.floor(next() * 200), maxRecords: 1 + Math.floor(next() * 8) };
      const sizes = Array.from({ length: Math.floor(next() * 60) }, () => Math.floor(next() * 240));
      const got = splitRequests(sizes, bySize, limits);
      const seen = [...got.requests.flat(), ...got.oversized].sort((a, b) => a - b).join();
      const over = got.requests.some(
        (r) => r.length > limits.maxRecords || r.reduce((a, b) => a + b, 0) > limits.maxBytes,
      );
      if (JSON.stringify(got) !== JSON.stringify(plainSplit(sizes, limits)))
        problems.push(`differs: round ${round}`);
      if (seen !== [...sizes].sort((a, b) => a - b).join()) problems.push(`lost or doubled: round ${round}`);
      if (over) problems.push(`over the limits: round ${round}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('recordSize', () => {
  it('counts key, value and the framing', () => {
    expect(recordSize(null, null)).toBe(recordSize('', Buffer.alloc(0)));
    expect(recordSize('héllo', Buffer.alloc(100)) - recordSize(null, null)).toBe(106);
  });
});
