import { TidewatchError } from '../../core/errors';

/**
 * What the SQL console may touch, checked on the tree ClickHouse itself parsed (`EXPLAIN AST`,
 * one row per node, a node's depth in its leading spaces), never on the query's text. The engine
 * already refuses writes, settings changes and table functions that need more than read access
 * (the console's session is `readonly = 1`); this adds what the engine lets through: `INTO
 * OUTFILE`, the scalar `file()`, and tables outside Tidewatch's database and the introspection
 * tables below.
 *
 * An identifier may hold a line break, and the engine prints it as is, so a query can add rows of
 * its own making to the tree. Every rule here therefore only refuses on what it finds and never
 * lets a node through because of where it seems to stand: made-up rows can add refusals, not
 * remove one.
 */
export interface ConsolePolicy {
  /** Databases whose tables the console reads; unset: any but `system` (whose tables are listed). */
  databases?: readonly string[];
  /** Every table function the engine knows (`system.table_functions`). */
  tableFunctions: ReadonlySet<string>;
  /** Every ordinary function the engine knows (`system.functions`). */
  functions: ReadonlySet<string>;
}

/** Table functions that only make rows up, readable in `readonly = 1`. */
export const ALLOWED_TABLE_FUNCTIONS = new Set([
  'numbers',
  'numbers_mt',
  'generateSeries',
  'generate_series',
  'values',
]);

/** Functions that read outside the engine although the engine allows them in read-only mode. */
export const DENIED_FUNCTIONS = new Set(['file']);

/** `system` tables a user needs to find their way around; the rest (paths, secrets, logs) stay shut. */
export const ALLOWED_SYSTEM_TABLES = new Set([
  'one',
  'numbers',
  'numbers_mt',
  'databases',
  'tables',
  'columns',
  'parts',
  'parts_columns',
  'data_skipping_indices',
  'projections',
  'merges',
  'mutations',
  'functions',
  'table_functions',
  'table_engines',
  'aggregate_function_combinators',
  'data_type_families',
  'formats',
  'settings',
  'time_zones',
  'keywords',
]);

/** Statement kinds the console runs (the root of the tree). */
const STATEMENTS = new Set([
  'SelectWithUnionQuery',
  'Explain',
  'DescribeQuery',
  'ShowTables',
  'ExistsTableQuery',
]);

/** Databases that are views over `system.tables` and `system.columns`. */
const INFORMATION_SCHEMA = new Set(['INFORMATION_SCHEMA', 'information_schema']);

function refuse(reason: string): never {
  throw new TidewatchError('TW_ERR_SQL_NOT_READONLY', reason);
}

interface Row {
  depth: number;
  kind: string;
  /** What follows the kind, up to ` (alias …)` / ` (children …)`. */
  name: string;
}

function row(text: string): Row {
  const body = text.trimStart();
  const space = body.indexOf(' ');
  const kind = space < 0 ? body : body.slice(0, space);
  let rest = space < 0 ? '' : body.slice(space);
  for (const tail of [' (children ', ' (alias ']) {
    const at = rest.indexOf(tail);
    if (at >= 0) rest = rest.slice(0, at);
  }
  return { depth: text.length - body.length, kind, name: rest.slice(1) };
}

function checkTable(db: string, table: string, policy: ConsolePolicy): void {
  if (db === 'system') {
    if (!ALLOWED_SYSTEM_TABLES.has(table))
      refuse(
        `system.${table} is not readable here (system tables allowed: ${[...ALLOWED_SYSTEM_TABLES].join(', ')})`,
      );
    return;
  }
  checkDatabase(db, policy);
}

function checkDatabase(db: string, policy: ConsolePolicy): void {
  if (db === 'system' || INFORMATION_SCHEMA.has(db) || !policy.databases || policy.databases.includes(db))
    return;
  refuse(`the database ${db} is not readable here (allowed: ${[...policy.databases, 'system'].join(', ')})`);
}

function checkFunction(name: string, policy: ConsolePolicy): void {
  if (DENIED_FUNCTIONS.has(name))
    refuse(`the function ${name}() reaches outside ClickHouse and is not allowed here`);
  if (policy.tableFunctions.has(name) && !policy.functions.has(name) && !ALLOWED_TABLE_FUNCTIONS.has(name))
    refuse(
      `the table function ${name}() is not allowed here (allowed: ${[...ALLOWED_TABLE_FUNCTIONS].join(', ')})`,
    );
}

/** Throws `TW_ERR_SQL_NOT_READONLY` with the reason unless the tree is one the console may run. */
export function checkConsoleAst(rows: readonly string[], policy: ConsolePolicy): void {
  const root = row(rows[0] ?? '');
  if (!STATEMENTS.has(root.kind))
    refuse('only SELECT, WITH, SHOW TABLES, DESCRIBE, EXPLAIN and EXISTS are allowed here');
  for (const text of rows.slice(1)) {
    const { depth, kind, name } = row(text);
    if (kind === 'Set') refuse('a SETTINGS clause is not allowed: the limits of this interface are fixed');
    if (depth === 1 && kind === 'Literal') refuse('INTO OUTFILE writes a file and is not allowed here');
    if (depth === 1 && kind === 'Identifier' && root.kind !== 'ExistsTableQuery') {
      if (root.kind !== 'ShowTables')
        refuse('a FORMAT clause is not allowed: results come back as JSON (the CLI prints them as a table)');
      checkDatabase(name, policy);
    }
    if (kind === 'Function') checkFunction(name, policy);
    const dot = name.indexOf('.');
    // A table (`db.table`), or `db.table` on the right of IN; `alias.column` names no database.
    if (kind === 'TableIdentifier' && dot > 0) checkTable(name.slice(0, dot), name.slice(dot + 1), policy);
    if (kind === 'Identifier' && depth > 1 && name.startsWith('system.'))
      checkTable('system', name.slice(7), policy);
  }
}
