import { nabScore, nabWindows, scaledSigmoid } from './nab-score';

/** 1000 samples, one anomaly at 500: its window is [450, 550], the probation the first 150. */
const file = (alarms: Record<number, number>) => {
  const scores = new Float64Array(1000);
  for (const [i, s] of Object.entries(alarms)) scores[Number(i)] = s;
  return { scores, anomalies: [500] };
};
const perfect = scaledSigmoid(-1);

describe('NAB scoring, standard profile', () => {
  it('lays a window of a tenth of the series per anomaly around it, merging overlaps', () => {
    expect(nabWindows(1000, [500])).toEqual([[450, 550]]);
    expect(nabWindows(1000, [300, 310])).toEqual([[275, 335]]);
    expect(nabWindows(1000, [])).toEqual([]);
  });

  it('gives 0 to a detector that never fires and 100 to one that fires at the window start', () => {
    expect(nabScore([file({})]).score).toBe(0);
    expect(nabScore([file({ 450: 1 })]).score).toBeCloseTo(100, 6);
  });

  it('rewards earlier detection, counts a window once and charges 0.11 per false alarm', () => {
    const late = nabScore([file({ 550: 1 })]).score;
    expect(late).toBeCloseTo((100 * (scaledSigmoid(-1 / 101) + 1)) / (perfect + 1), 6);
    expect(late).toBeLessThan(nabScore([file({ 500: 1 })]).score);
    expect(nabScore([file({ 450: 1, 460: 1, 470: 1 })]).score).toBeCloseTo(100, 6);
    const withFalse = nabScore([file({ 300: 1, 450: 1 })]);
    expect(withFalse.score).toBeCloseTo((100 * (perfect - 0.11 + 1)) / (perfect + 1), 6);
    expect(withFalse.falseAlarms).toBe(1);
  });

  it('charges a false alarm right after a window less than a distant one', () => {
    const near = nabScore([file({ 450: 1, 560: 1 })]).score;
    const far = nabScore([file({ 450: 1, 900: 1 })]).score;
    expect(near).toBeGreaterThan(far);
    expect(far).toBeCloseTo((100 * (perfect - 0.11 + 1)) / (perfect + 1), 6);
  });

  it('ignores alarms in the probationary period', () => {
    expect(nabScore([file({ 100: 1 })]).score).toBe(0);
  });

  it('sweeps one threshold for the whole corpus', () => {
    const r = nabScore([file({ 300: 0.9, 450: 0.5 }), file({ 460: 0.6 })]);
    expect(r.threshold).toBe(0.5);
    expect(r.detected).toBe(2);
    expect(r.falseAlarms).toBe(1);
  });
});
