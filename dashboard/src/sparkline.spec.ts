import { sparklinePath } from './sparkline';

describe('sparklinePath', () => {
  it('scales time to the width and values to the height, clamped', () => {
    expect(sparklinePath([10, 20, 30], [0, 50, 150], 60, 20)).toBe('M0.0 20.0L30.0 10.0L60.0 0.0');
    expect(sparklinePath([10], [5], 60, 20)).toBe('');
  });
});
