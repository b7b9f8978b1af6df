import { checkConsoleAst, type ConsolePolicy } from './console-ast';

// Trees as the engine prints them (`EXPLAIN AST … FORMAT JSONCompact`, one row per node).
const policy: ConsolePolicy = {
  databases: ['tidewatch'],
  tableFunctions: new Set(['file', 'url', 'filesystem', 'numbers', 'format', 'values', 'icebergLocal']),
  functions: new Set(['file', 'format', 'count', 'equals']),
};
const select = (...from: string[]) => [
  'SelectWithUnionQuery (children 1)',
  ' ExpressionList (children 1)',
  '  SelectQuery (children 2)',
  '   ExpressionList (children 1)',
  '    Asterisk',
  '   TablesInSelectQuery (children 1)',
  '    TablesInSelectQueryElement (children 1)',
  '     TableExpression (children 1)',
  ...from.map((row) => `      ${row}`),
];
const check = (rows: string[]) => () => checkConsoleAst(rows, policy);

describe('checkConsoleAst', () => {
  it.each([
    ['a Tidewatch table', select('TableIdentifier tidewatch.metrics')],
    ['an unqualified table', select('TableIdentifier metrics (alias m)')],
    ['an allowed system table', select('TableIdentifier system.tables')],
    ['information_schema', select('TableIdentifier information_schema.columns')],
    [
      'numbers()',
      select('Function numbers (children 1)', ' ExpressionList (children 1)', '  Literal UInt64_10'),
    ],
    ['the scalar format()', select('TableIdentifier tidewatch.m', 'Function format (children 1)')],
    ['SHOW TABLES FROM system', ['ShowTables (children 1)', ' Identifier system']],
    ['EXISTS', ['ExistsTableQuery tidewatch t (children 2)', ' Identifier tidewatch', ' Identifier t']],
    ['alias.column', [...select('TableIdentifier tidewatch.m (alias m)'), '   Identifier m.value']],
  ])('lets %s through', (_, rows) => expect(check(rows)).not.toThrow());

  it.each([
    ['file() as a table', select('Function file (children 1)'), /file\(\) reaches outside/],
    [
      'file() as a scalar',
      ['SelectWithUnionQuery (children 1)', '    Function file (alias x) (children 1)'],
      /file\(\)/,
    ],
    [
      'filesystem()',
      select('Function filesystem (children 1)'),
      /table function filesystem\(\) is not allowed/,
    ],
    ['url()', select('Function url (children 1)'), /url\(\)/],
    ['icebergLocal()', select('Function icebergLocal (children 1)'), /icebergLocal\(\)/],
    [
      'INTO OUTFILE',
      ['SelectWithUnionQuery (children 2)', ' ExpressionList (children 1)', " Literal '/x'"],
      /INTO OUTFILE/,
    ],
    [
      'EXPLAIN … INTO OUTFILE',
      ['Explain EXPLAIN (children 2)', ' SelectWithUnionQuery (children 1)', " Literal 'x'"],
      /OUTFILE/,
    ],
    [
      'FORMAT',
      ['SelectWithUnionQuery (children 2)', ' ExpressionList (children 1)', ' Identifier CSV'],
      /FORMAT/,
    ],
    ['a nested SETTINGS', [...select('Subquery (children 1)'), '          Set'], /SETTINGS/],
    ['another database', select('TableIdentifier default.t'), /database default/],
    [
      'a closed system table',
      select('TableIdentifier system.named_collections'),
      /system\.named_collections/,
    ],
    [
      'IN a closed system table',
      [...select('TableIdentifier tidewatch.m'), '     Identifier system.users'],
      /system\.users/,
    ],
    [
      'SHOW TABLES FROM another database',
      ['ShowTables (children 1)', ' Identifier default'],
      /database default/,
    ],
    ['a statement that is not a read', ['InsertQuery (children 1)'], /only SELECT/],
    ['an empty tree', [], /only SELECT/],
  ])('refuses %s with its reason', (_, rows, reason) => {
    expect(check(rows)).toThrow(reason);
    expect(check(rows)).toThrow(expect.objectContaining({ code: 'TW_ERR_SQL_NOT_READONLY' }) as Error);
  });

  it('refuses on rows an identifier made up with a line break, and never lets one through because of them', () => {
    // `a\n Function file` as a column name: the engine prints a row " Function file".
    const forged = [
      'SelectWithUnionQuery (children 1)',
      ' ExpressionList (children 1)',
      '    Identifier a',
      ' Function file',
    ];
    expect(check(forged)).toThrow(/file\(\)/);
    // Made-up harmless rows around a real table function change nothing.
    const hidden = select('TableIdentifier x', 'y.z (children 1)', 'Function filesystem (children 1)');
    expect(check(hidden)).toThrow(/filesystem/);
  });

  it('reads any database but system when no database is named', () => {
    const open = { ...policy, databases: undefined };
    expect(() => checkConsoleAst(select('TableIdentifier tw_test_1.metrics'), open)).not.toThrow();
    expect(() => checkConsoleAst(select('TableIdentifier system.users'), open)).toThrow(/system\.users/);
  });
});
