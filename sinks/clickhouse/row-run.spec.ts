import { RowRun, rowRunJson } from './row-run';

describe('rowRunJson', () => {
  it('writes a run of rows as consecutive JSON arrays, one stringify for all of them', () => {
    const rows = [
      ['a', 1.5, { k: 'v' }],
      ['b"\n', 2, {}],
    ];
    expect(rowRunJson.stringify(new RowRun(rows))).toBe('["a",1.5,{"k":"v"}],["b\\"\\n",2,{}]');
  });

  it('leaves every other value to JSON', () => {
    expect(rowRunJson.stringify({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    expect(rowRunJson.parse<{ a: number }>('{"a":1}')).toEqual({ a: 1 });
  });
});
