/**
 * Scores alarms against labeled windows, the way an operator would: a window counts as caught
 * when an alarm starts inside it (earlier is better: `delays`), and each alarm that starts
 * outside every window (plus a short recovery tail after it) is one false alarm.
 */
export interface DetectionScore {
  windows: number;
  caught: number;
  falseAlarms: number;
  /** Samples from each caught window's start to its first alarm. */
  delays: number[];
}

export function scoreDetections(
  scores: ArrayLike<number>,
  windows: Array<[number, number]>,
  threshold: number,
): DetectionScore {
  const tail = (w: [number, number]) => Math.max(10, Math.floor(0.25 * (w[1] - w[0])));
  const inWindow = (i: number) => windows.findIndex((w) => i >= w[0] && i <= w[1]);
  const inTail = (i: number) => windows.some((w) => i > w[1] && i <= w[1] + tail(w));
  const firstAlarm = new Map<number, number>();
  let falseAlarms = 0;
  let alarming = false;
  for (let i = 0; i < scores.length; i++) {
    const on = scores[i]! >= threshold;
    const w = on ? inWindow(i) : -1;
    if (w >= 0 && !firstAlarm.has(w)) firstAlarm.set(w, i);
    if (on && !alarming && w < 0 && !inTail(i)) falseAlarms++;
    alarming = on;
  }
  return {
    windows: windows.length,
    caught: firstAlarm.size,
    falseAlarms,
    delays: [...firstAlarm].map(([w, i]) => i - windows[w]![0]),
  };
}
