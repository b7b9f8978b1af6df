/** A query's answer as the SQL console returns it (the JSON rows ClickHouse sent). */
export interface ResultTable {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
}

/** `tidewatch sql --format`: ours (`table`, `json`) and ClickHouse's output formats by their names. */
export const RESULT_FORMATS = ['table', 'json', 'TSV', 'CSV', 'JSONEachRow', 'Vertical'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

const text = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);

/** ClickHouse's TabSeparated escaping: backslash, tab, newline and carriage return; NULL is \N. */
const tsvField = (v: unknown): string =>
  v === null || v === undefined
    ? '\\N'
    : text(v).replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!);

/** ClickHouse's CSV: strings (and arrays, maps, tuples) double-quoted with quotes doubled; numbers bare. */
const csvField = (v: unknown): string =>
  v === null || v === undefined
    ? '\\N'
    : typeof v === 'number' || typeof v === 'boolean'
      ? String(v)
      : `"${text(v).replace(/"/g, '""')}"`;

function formatTable(result: ResultTable): string {
  const names = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) => names.map((n) => text(row[n])));
  const widths = names.map((n, i) => Math.max(n.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(names), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** Vertical, as clickhouse-client prints it: each row as "name: value" lines under "Row N:". */
function formatVertical(result: ResultTable): string {
  const names = result.columns.map((c) => c.name);
  const width = Math.max(0, ...names.map((n) => n.length));
  return result.rows
    .map((row, i) => {
      const title = `Row ${i + 1}:`;
      const lines = names.map((n) => `${`${n}:`.padEnd(width + 1)} ${text(row[n])}`);
      return [title, '─'.repeat(title.length), ...lines].join('\n') + '\n';
    })
    .join('\n');
}

/** The result in one of `RESULT_FORMATS`, formatted here from the JSON rows (never by the query). */
export function formatResult(result: ResultTable, format: ResultFormat): string {
  const names = result.columns.map((c) => c.name);
  const lines = (field: (v: unknown) => string, sep: string) =>
    result.rows.map((row) => names.map((n) => field(row[n])).join(sep) + '\n').join('');
  switch (format) {
    case 'table':
      return formatTable(result);
    case 'json':
      return `${JSON.stringify(result.rows, null, 2)}\n`;
    case 'TSV':
      return lines(tsvField, '\t');
    case 'CSV':
      return lines(csvField, ',');
    case 'JSONEachRow':
      return result.rows.map((row) => `${JSON.stringify(row)}\n`).join('');
    case 'Vertical':
      return formatVertical(result);
  }
}
