const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

const plain = (v: unknown): string => {
  if (typeof v === 'string') return /[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
};

/**
 * One pino JSON line as a person reads it on a terminal:
 * `12:03:04.567 WARN  [processor/dedupe] message key=value …`, an error's stack on the lines
 * below. Redaction happened before (pino redacts while serialising), so nothing secret reaches
 * this. A line that is not pino's JSON passes through unchanged.
 */
export function prettyLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry !== 'object' || entry === null) return line;
  const { time, level, msg, component, stage, err, ...rest } = entry;
  const clock = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const where = [component, stage].filter((v) => typeof v === 'string').join('/');
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${plain(v)}`);
  const head = [
    clock,
    LEVELS[level as number] ?? String(level),
    where ? `[${where}]` : '',
    typeof msg === 'string' ? msg : '',
    ...fields,
  ]
    .filter((part) => part !== '')
    .join(' ');
  const e = err as { stack?: string; message?: string } | undefined;
  const detail = e ? `\n    ${(e.stack ?? e.message ?? plain(e)).split('\n').join('\n    ')}` : '';
  return `${head}${detail}\n`;
}

/** A pino destination that writes each line through `prettyLogLine` to `out`. */
export function prettyLogStream(out: { write(text: string): unknown }): { write(line: string): void } {
  return { write: (line) => void out.write(prettyLogLine(line.trimEnd())) };
}
