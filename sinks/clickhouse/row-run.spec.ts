import { EncodedRows, rowCount, rowRunJson } from './row-run';

describe('rowRunJson', () => {
  it('writes encoded rows as consecutive JSON arrays, encoded by one stringify', () => {
    const rows = [
      ['a', 1.5, { k: 'v' }],
      ['b"\n', 2, {}],
    ];
    const encoded = EncodedRows.of(rows);
    expect(encoded.count).toBe(2);
    expect(rowRunJson.stringify(encoded)).toBe('["a",1.5,{"k":"v"}],["b\\"\\n",2,{}]');
    expect(rowRunJson.stringify(new EncodedRows('[1],[2]', 2))).toBe('[1],[2]');
  });

  it('leaves every other value to JSON', () => {
    expect(rowRunJson.stringify({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(rowRunJson.parse<{ a: number }>('{"a":1}')).toEqual({ a: 1 });
  });

  it('counts the rows of an insert, encoded rows as their rows', () => {
    expect(rowCount([EncodedRows.of([[1], [2], [3]]), EncodedRows.of([[4]])])).toBe(4);
    expect(rowCount([{ a: 1 }, { a: 2 }])).toBe(2);
    expect(rowCount('a,b\n')).toBe(0);
  });
});
