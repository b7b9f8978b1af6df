import pino, { Logger } from 'pino';
import { prettyLogStream } from './pretty-log';

export type { Logger };

/** `auto` picks readable lines when the output is a terminal and JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** The format to write in: the setting, or for `auto`, whether the destination is a terminal. */
export function chooseLogFormat(setting: LogFormat, isTerminal: boolean): 'json' | 'pretty' {
  if (setting === 'auto') return isTerminal ? 'pretty' : 'json';
  return setting;
}

/** Keys whose values never reach a log line, wherever they appear in a logged object. */
const REDACT = [
  'token',
  '*.token',
  'password',
  '*.password',
  'authorization',
  '*.authorization',
  'headers.cookie',
];

/** JSON lines to `destination` (stdout by default), or readable ones with `format: 'pretty'`. */
export function createLogger(
  level: string,
  destination?: pino.DestinationStream,
  format: 'json' | 'pretty' = 'json',
): Logger {
  const out = format === 'pretty' ? prettyLogStream(destination ?? process.stdout) : destination;
  return pino({ level, base: undefined, redact: { paths: REDACT, censor: '[redacted]' } }, out);
}

/** A logger that drops everything: for tests and benchmarks that read results, not logs. */
export const silentLogger: Logger = pino({ level: 'silent' });
