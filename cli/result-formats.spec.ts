import { formatResult } from './result-formats';

const result = {
  columns: [
    { name: 'host', type: 'String' },
    { name: 'n', type: 'UInt32' },
    { name: 'tags', type: 'Array(String)' },
  ],
  rows: [
    { host: 'web-1', n: 3, tags: ['a'] },
    { host: 'say "hi"\tnow\\', n: 0, tags: [] },
    { host: null, n: 1, tags: ['x,y'] },
  ],
};

describe('sql result formats', () => {
  it('TSV escapes tabs, newlines and backslashes as ClickHouse does, NULL as \\N', () => {
    expect(formatResult(result, 'TSV')).toBe('web-1\t3\t["a"]\nsay "hi"\\tnow\\\\\t0\t[]\n\\N\t1\t["x,y"]\n');
  });

  it('CSV quotes text with quotes doubled and leaves numbers bare', () => {
    expect(formatResult(result, 'CSV')).toBe(
      '"web-1",3,"[""a""]"\n"say ""hi""\tnow\\",0,"[]"\n\\N,1,"[""x,y""]"\n',
    );
  });

  it('JSONEachRow is one object per line', () => {
    const lines = formatResult(result, 'JSONEachRow').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l))).toEqual(result.rows);
  });

  it('Vertical prints each row as name: value lines', () => {
    expect(
      formatResult({ columns: result.columns.slice(0, 2), rows: result.rows.slice(0, 2) }, 'Vertical'),
    ).toBe('Row 1:\n──────\nhost: web-1\nn:    3\n\nRow 2:\n──────\nhost: say "hi"\tnow\\\nn:    0\n');
  });

  it('keeps table and json', () => {
    expect(formatResult(result, 'table').split('\n')[0]).toBe(`${'host'.padEnd(13)}  n  tags`);
    expect(JSON.parse(formatResult(result, 'json'))).toEqual(result.rows);
  });
});
