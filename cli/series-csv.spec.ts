import { headerColumns, parseTimestamp, parseValue, splitLine } from './series-csv';

describe('series CSV', () => {
  it('reads the three timestamp forms as UTC epoch ms', () => {
    const t = Date.UTC(2026, 0, 2, 3, 4, 5);
    expect(parseTimestamp('2026-01-02 03:04:05')).toBe(t);
    expect(parseTimestamp('2026-01-02T03:04:05Z')).toBe(t);
    expect(parseTimestamp('2026-01-02T04:04:05+01:00')).toBe(t);
    expect(parseTimestamp('2026-01-02T03:04:05.000')).toBe(t);
    expect(parseTimestamp(String(t))).toBe(t);
    expect(parseTimestamp(String(t / 1000))).toBe(t);
  });

  it('refuses what is not a time or a number', () => {
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(parseTimestamp('2026-13-01 00:00:00')).toBeNaN();
    expect(parseValue('')).toBeNaN();
    expect(parseValue('abc')).toBeNaN();
    expect(parseValue('Infinity')).toBeNaN();
    expect(parseValue(' 1.5 ')).toBe(1.5);
  });

  it('finds the columns by name and says when they are missing', () => {
    expect(headerColumns('\ufeffValue,"timestamp"')).toEqual({ timestamp: 1, value: 0 });
    expect(() => headerColumns('time,v')).toThrow(
      /must name the columns timestamp and value \(found: time,v\)/,
    );
    expect(splitLine('"a",b')).toEqual(['a', 'b']);
  });
});
