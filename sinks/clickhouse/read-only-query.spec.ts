import { checkReadOnly } from './read-only-query';
import { withSettingsClause } from './query-scoped-settings';

describe('checkReadOnly', () => {
  it.each([
    'SELECT 1',
    'with x as (select 1) select * from x',
    '  -- note\nSHOW TABLES',
    'DESCRIBE tidewatch.metrics;',
    'SELECT formatReadableSize(rss) AS rss FROM tidewatch.processes',
    'SELECT format FROM t ORDER BY format DESC',
  ])('accepts %j', (sql) => {
    expect(() => checkReadOnly(sql)).not.toThrow();
  });

  it.each([
    ['INSERT INTO t VALUES (1)', /only SELECT/],
    ['DROP TABLE tidewatch.metrics', /only SELECT/],
    ['SYSTEM SHUTDOWN', /only SELECT/],
    ['SELECT 1; DROP TABLE t', /one statement/],
    ['SELECT 1 SETTINGS readonly=0', /SETTINGS/],
    ["SELECT * FROM file('/etc/passwd')", /file\(\)/],
    ["SELECT * FROM `url` ('http://x', CSV)", /url\(\)/],
    ["SELECT 1 INTO OUTFILE '/tmp/x'", /OUTFILE/],
    ["WITH 1 AS x SELECT x into   outfile '/tmp/x' FORMAT CSV", /OUTFILE/],
    ['SELECT 1 FORMAT CSV', /FORMAT/],
    ['', /empty/],
  ])('refuses %j', (sql, reason) => {
    expect(() => checkReadOnly(sql)).toThrow(reason);
  });
});

describe('withSettingsClause', () => {
  it('puts SETTINGS before a trailing FORMAT, so it is scoped to this query', () => {
    expect(withSettingsClause('SELECT 1 \nFORMAT JSON', { readonly: '2', max_result_rows: 10 })).toBe(
      "SELECT 1\nSETTINGS readonly = '2', max_result_rows = 10 \nFORMAT JSON",
    );
    expect(
      withSettingsClause('INSERT INTO t FORMAT JSONEachRow', { insert_deduplication_token: "a'b" }),
    ).toBe("INSERT INTO t\nSETTINGS insert_deduplication_token = 'a''b' FORMAT JSONEachRow");
  });

  it('appends at the end when there is no FORMAT, and drops HTTP-only settings', () => {
    expect(withSettingsClause('OPTIMIZE TABLE t', { wait_end_of_query: 1, mutations_sync: 2 })).toBe(
      'OPTIMIZE TABLE t\nSETTINGS mutations_sync = 2',
    );
    expect(withSettingsClause('SELECT 1', { wait_end_of_query: 1 })).toBe('SELECT 1');
  });

  it('refuses a setting name that is not an identifier', () => {
    expect(() => withSettingsClause('SELECT 1', { 'x = 1; DROP': 1 })).toThrow(/invalid setting name/);
  });
});
