import { PayloadBuffers } from './payload-buffers';

describe('PayloadBuffers', () => {
  it('joins strings and bytes as UTF-8, a multi-byte character split across byte parts intact', () => {
    const euro = Buffer.from('€');
    const { payload } = new PayloadBuffers().write([
      '["hé",1]\n',
      euro.subarray(0, 1),
      euro.subarray(1),
      '[2]',
    ]);
    expect(payload.toString('utf8')).toBe('["hé",1]\n€[2]');
  });

  it('writes the next payload into a buffer given back, not a new one', () => {
    const buffers = new PayloadBuffers();
    const first = buffers.write(['x'.repeat(1000)]);
    buffers.give(first.buffer);
    const second = buffers.write(['y'.repeat(500)]);
    expect(second.buffer).toBe(first.buffer);
    expect(second.payload.toString()).toBe('y'.repeat(500));
  });

  it('keeps at most maxIdle buffers, none over maxIdleBytes, and the larger ones when it grows', () => {
    const buffers = new PayloadBuffers(2, 1 << 20);
    const taken = [1, 2, 3].map(() => buffers.write(['a']).buffer);
    for (const b of taken) buffers.give(b);
    expect(buffers.idleCount).toBe(2);
    // Too large for the two idle ones: the smaller makes way; too large to keep once given back.
    buffers.give(buffers.write(['b'.repeat(2 << 20)]).buffer);
    expect(buffers.idleCount).toBe(1);
    const big = buffers.write(['c'.repeat(200_000)]);
    expect(big.buffer.length).toBeGreaterThanOrEqual(200_000);
    buffers.give(big.buffer);
    expect(buffers.write(['d'.repeat(200_000)]).buffer).toBe(big.buffer);
  });
});
