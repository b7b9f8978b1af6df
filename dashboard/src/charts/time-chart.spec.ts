import { mergeCoincident } from './time-chart';

describe('mergeCoincident', () => {
  it('joins markers of the same second, listing every reason under the most severe state', () => {
    const m = (id: string, t: number, severity: string) => ({ id, t, severity, title: id });
    expect(mergeCoincident([m('a', 10.2, 'warning'), m('b', 10, 'critical'), m('c', 20, 'closed')])).toEqual([
      { id: 'a', t: 10.2, severity: 'critical', title: 'a\nb' },
      { id: 'c', t: 20, severity: 'closed', title: 'c' },
    ]);
  });
});
