import { OpenWindows } from './open-windows';
import { WindowAccumulator } from './window-accumulator';

const window = (i: number) =>
  new WindowAccumulator(
    `10000|${i}|h`,
    { host: 'h', metric: 'm', unit: '1', attributes: {} },
    10_000,
    i,
    0,
    '0',
  );

describe('OpenWindows', () => {
  it('gives the oldest open window, whatever order the others closed in', () => {
    const open = new OpenWindows();
    const ws = Array.from({ length: 5 }, (_, i) => window(i));
    ws.forEach((w) => open.add(w));
    open.delete(ws[2]!);
    open.delete(ws[0]!);
    expect(open.oldest()).toBe(ws[1]);
    open.delete(ws[1]!);
    expect([open.oldest(), open.size, open.get(ws[3]!.key)]).toEqual([ws[3], 2, ws[3]]);
  });

  it('stays right across its compactions, with a long-lived window at the front', () => {
    const open = new OpenWindows();
    const first = window(-1);
    open.add(first);
    const ws = Array.from({ length: 10_000 }, (_, i) => window(i));
    for (const w of ws) open.add(w);
    for (const w of ws.slice(0, 9_000)) open.delete(w); // removed behind a window still open
    expect([open.oldest(), open.size]).toEqual([first, 1_001]);
    open.delete(first);
    expect(open.oldest()).toBe(ws[9_000]);
    for (const w of ws.slice(9_000)) open.delete(w);
    expect([open.oldest(), open.size]).toEqual([undefined, 0]);
  });

  it('ignores a window that is not the one open under its key', () => {
    const open = new OpenWindows();
    const a = window(1);
    open.add(a);
    open.delete(window(1)); // same key, another window
    expect([open.size, open.oldest()]).toEqual([1, a]);
  });
});
