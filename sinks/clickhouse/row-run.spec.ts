import { EncodedRows, RowRun, rowCount, rowRunJson } from './row-run';

describe('rowRunJson', () => {
  it('writes a run of rows as consecutive JSON arrays, one stringify for all of them', () => {
    const rows = [
      ['a', 1.5, { k: 'v' }],
      ['b"\n', 2, {}],
    ];
    expect(rowRunJson.stringify(new RowRun(rows))).toBe('["a",1.5,{"k":"v"}],["b\\"\\n",2,{}]');
  });

  it('writes rows encoded ahead exactly as a run of the same rows', () => {
    const rows = [
      ['a', 1.5, { k: 'v' }],
      ['b"\n', 2, {}],
    ];
    const encoded = EncodedRows.of(rows);
    expect(encoded.count).toBe(2);
    expect(rowRunJson.stringify(encoded)).toBe(rowRunJson.stringify(new RowRun(rows)));
    expect(rowRunJson.stringify(new EncodedRows('[1],[2]', 2))).toBe('[1],[2]');
  });

  it('leaves every other value to JSON', () => {
    expect(rowRunJson.stringify({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(rowRunJson.parse<{ a: number }>('{"a":1}')).toEqual({ a: 1 });
  });

  it('counts the rows of an insert, a run as its rows', () => {
    expect(rowCount([new RowRun([[1], [2], [3]])])).toBe(3);
    expect(rowCount([EncodedRows.of([[1], [2]]), new RowRun([[3]])])).toBe(3);
    expect(rowCount([{ a: 1 }, { a: 2 }])).toBe(2);
    expect(rowCount('a,b\n')).toBe(0);
  });
});
