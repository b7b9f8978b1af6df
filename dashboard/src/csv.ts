/** RFC 4180 CSV: a header row, then one row per record; fields with , " or a line break are quoted. */
export function toCsv(columns: readonly string[], rows: readonly Record<string, unknown>[]): string {
  const field = (v: unknown) => {
    const text = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [columns.map(field).join(','), ...rows.map((r) => columns.map((c) => field(r[c])).join(','))]
    .map((line) => `${line}\r\n`)
    .join('');
}
