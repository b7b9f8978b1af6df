/** Reading the `timestamp,value` CSV files that `tidewatch detect` scores. */

const ZONE = /(Z|[+-]\d\d:?\d\d)$/i;
const DIGITS = /^-?\d+(\.\d+)?$/;

/**
 * Epoch milliseconds from "YYYY-MM-DD HH:MM:SS" (UTC), ISO 8601 (UTC unless it names a zone), or
 * epoch milliseconds (a plain number of at most 10 integer digits is taken as epoch seconds).
 * NaN when it is none of these.
 */
export function parseTimestamp(text: string): number {
  const s = text.trim();
  if (DIGITS.test(s)) {
    const n = Number(s);
    return Math.abs(n) < 1e10 ? n * 1000 : n;
  }
  if (!/^\d{4}-\d\d-\d\d/.test(s)) return NaN;
  const iso = s.replace(' ', 'T');
  return Date.parse(ZONE.test(iso) || iso.length <= 10 ? iso : `${iso}Z`);
}

/** The value, or NaN when it is missing or not a finite number. */
export function parseValue(text: string | undefined): number {
  const s = text?.trim() ?? '';
  if (s === '') return NaN;
  const n = Number(s);
  return Number.isFinite(n) ? n : NaN;
}

/** Splits one CSV line (quotes around a field are removed; no embedded commas expected). */
export function splitLine(line: string): string[] {
  const fields = line.split(',');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.length >= 2 && f.startsWith('"') && f.endsWith('"')) fields[i] = f.slice(1, -1);
  }
  return fields;
}

export const csvField = (text: string) => (/[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** Where the columns are, from the header line; throws saying what is missing. */
export function headerColumns(line: string | undefined): { timestamp: number; value: number } {
  const names = splitLine(line ?? '').map((n) =>
    n
      .trim()
      .toLowerCase()
      .replace(/^\ufeff/, ''),
  );
  const timestamp = names.indexOf('timestamp');
  const value = names.indexOf('value');
  if (timestamp < 0 || value < 0)
    throw new Error(
      `the header must name the columns timestamp and value (found: ${names.join(',') || 'nothing'})`,
    );
  return { timestamp, value };
}
