import { SeriesDetector, stateSlab } from './ensemble';
import { decodeState, encodeState } from './state-codec';
import { DEFAULT_DETECTORS } from './ensemble';

const MINUTE = 60_000;
const value = (k: number, i: number) => 10 * k + Math.sin(i / (5 + k)) + (i % (7 + k) === 0 ? 4 : 0);

/** Every verdict of `series` series stepped in turn, `samples` each, as one string per series. */
function interleaved(make: (k: number) => SeriesDetector, series: number, samples: number): string[] {
  const detectors = Array.from({ length: series }, (_, k) => make(k));
  const out = detectors.map(() => [] as string[]);
  for (let i = 0; i < samples; i++)
    detectors.forEach((d, k) => {
      const v = d.step(i * MINUTE, value(k, i));
      out[k]!.push(`${v.score} ${v.p} ${v.expected} ${v.upper} ${v.detector}`);
    });
  return out.map((v) => v.join('\n'));
}

describe('state slab', () => {
  it('scores series that share a slab exactly as series with one each', () => {
    const slab = stateSlab({}, 8);
    const shared = interleaved(() => new SeriesDetector({}, undefined, slab), 5, 300);
    const own = interleaved(() => new SeriesDetector(), 5, 300);
    expect(shared).toEqual(own);
    expect(slab.size).toBe(5);
  });

  it('hands a freed slot out again, cleared: a new series there starts afresh', () => {
    const slab = stateSlab({}, 2);
    const first = new SeriesDetector({}, undefined, slab);
    for (let i = 0; i < 200; i++) first.step(i * MINUTE, 1000 + (i % 9));
    first.free();
    expect(slab.size).toBe(0);
    const reused = interleaved(() => new SeriesDetector({}, undefined, slab), 1, 120);
    expect(reused).toEqual(interleaved(() => new SeriesDetector(), 1, 120));
  });

  it('holds at most its capacity', () => {
    const slab = stateSlab({}, 2);
    slab.allocate();
    slab.allocate();
    expect(() => slab.allocate()).toThrow('detector state slab is full (2 series)');
  });

  it('grows a chunk at a time past 1 024 series, each series in its own place', () => {
    const slab = stateSlab({}, 3000);
    const many = interleaved(() => new SeriesDetector({}, undefined, slab), 1100, 3);
    const alone = interleaved(() => new SeriesDetector(), 1100, 3);
    expect(many).toEqual(alone);
    expect(slab.bytes).toBe(2 * 1024 * (8 * slab.stride + 4 * slab.binStride));
  });

  it('saves and loads a state whole: a restored series goes on exactly like the original', () => {
    const slab = stateSlab({}, 4);
    const a = new SeriesDetector({}, undefined, slab);
    for (let i = 0; i < 500; i++) a.step(i * MINUTE, value(1, i));
    const text = encodeState(a.save()!);
    const restored = new SeriesDetector({}, decodeState(text, DEFAULT_DETECTORS.length), slab);
    expect(encodeState(restored.save()!)).toBe(text);
    for (let i = 500; i < 700; i++)
      expect(restored.step(i * MINUTE, value(1, i))).toEqual(a.step(i * MINUTE, value(1, i)));
  });

  it('is made for one set of detectors', () => {
    const slab = stateSlab({ detectors: ['range'] }, 4);
    expect(() => new SeriesDetector({}, undefined, slab)).toThrow(
      'the state slab was made for other detectors',
    );
  });
});
