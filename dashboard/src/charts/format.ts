/** How a chart's values read: ratios as percent, bytes per second with units, plain numbers. */
export type Unit = 'percent' | 'bytes' | 'number';

const BYTES = ['B', 'KB', 'MB', 'GB', 'TB'];

/** A byte count with a binary-prefixed unit (1.5 MB). */
export function formatBytes(v: number): string {
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < BYTES.length - 1) {
    x /= 1024;
    i++;
  }
  return `${(Math.sign(v) * x).toFixed(x < 10 && i > 0 ? 1 : 0)} ${BYTES[i]}`;
}

export function formatValue(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (unit === 'percent') return `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;
  if (unit === 'bytes') return `${formatBytes(v)}/s`;
  return Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
}
