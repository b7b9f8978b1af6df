import { DEFAULT_CONSOLE_LIMITS, sandboxStatements, sqlString } from './console-sandbox';

describe('sandboxStatements', () => {
  const statements = sandboxStatements(
    DEFAULT_CONSOLE_LIMITS,
    'tidewatch',
    { host: "web'1\\" },
    { extra_one: 5 },
  );

  it('sets the limits, then the parameters and database, and readonly = 1 last', () => {
    expect(statements).toContain(`SET max_memory_usage = ${1024 ** 3}`);
    expect(statements).toContain('SET max_execution_time = 30');
    expect(statements).toContain('SET max_rows_to_read = 1000000000');
    expect(statements).toContain('SET max_result_rows = 100000');
    expect(statements).toContain('SET max_threads = 1');
    expect(statements).toContain('SET extra_one = 5');
    expect(statements).toContain("SET param_host = 'web\\'1\\\\'");
    expect(statements).toContain('USE `tidewatch`');
    expect(statements.at(-1)).toBe('SET readonly = 1');
  });

  it('refuses parameter names that are not plain names', () => {
    expect(() => sandboxStatements(DEFAULT_CONSOLE_LIMITS, undefined, { 'a = 1; SET readonly': 0 })).toThrow(
      /invalid parameter name/,
    );
  });
});

describe('sqlString', () => {
  it('quotes backslashes and quotes, and refuses NUL', () => {
    expect(sqlString("it's a \\ test")).toBe("'it\\'s a \\\\ test'");
    expect(() => sqlString('a\0b')).toThrow(/NUL/);
  });
});
