import { alarmStep, DEFAULT_ALARM, newAlarm } from './onset-alarm';

const o = { ...DEFAULT_ALARM, gate: 3, onsetSpan: 5, recordStep: 1, quietToEnd: 3, hold: 20, adaptAfter: 4 };

/** Runs surprises through one alarm state: the indices that raised an alarm, and which were ongoing / adapted. */
function run(surprises: number[], stuck: boolean[] = []) {
  const a = newAlarm();
  const alarms: number[] = [];
  const ongoing: boolean[] = [];
  const adapts: number[] = [];
  surprises.forEach((s, i) => {
    const out = alarmStep(a, s, stuck[i] ?? false, o);
    if (out.alarm) alarms.push(i);
    if (out.adapt) adapts.push(i);
    ongoing.push(out.ongoing);
  });
  return { alarms, ongoing, adapts };
}

describe('onset alarm', () => {
  it('raises one alarm at the onset of a long strange stretch, and knows it goes on', () => {
    const r = run([0, 0, 4, 4, 4, ...Array<number>(30).fill(4), 0, 0, 0, 0]);
    expect(r.alarms).toEqual([2]);
    expect(r.ongoing.slice(2, 37)).toEqual(Array<boolean>(35).fill(true));
    expect(r.ongoing.slice(38)).toEqual([false]);
    expect(r.adapts).toEqual([5, 9, 13, 17, 21, 25, 29, 33]);
  });

  it('raises again near the onset only when the stretch gets clearly stranger', () => {
    expect(run([0, 3.2, 3.8, 4.3, 5.5, 9, 20, 0]).alarms).toEqual([1, 3, 4, 5]);
  });

  it('holds a second episode no stronger than the last, but not a clearly stronger one, and the hold fades', () => {
    const calm = (n: number) => Array<number>(n).fill(0);
    // calm(4) ends the first episode (quietToEnd 3): the next strange sample starts a new one
    expect(run([5, ...calm(4), 4.5]).alarms).toEqual([0]);
    expect(run([5, ...calm(4), 7]).alarms).toEqual([0, 5]);
    expect(run([5, ...calm(14), 3.5]).alarms).toEqual([0, 15]); // three quarters through the hold
    expect(run([5, ...calm(25), 5]).alarms).toEqual([0, 26]); // after it
  });

  it('ends a stuck value when the series moves, so what it does next is a new episode', () => {
    const surprises = Array<number>(26).fill(4);
    const loose = Array.from({ length: 26 }, (_, i) => i < 25);
    expect(run(surprises, loose).alarms).toEqual([0, 25]);
    // still stuck: one episode, one alarm
    expect(run(surprises, Array<boolean>(26).fill(true)).alarms).toEqual([0]);
  });
});
