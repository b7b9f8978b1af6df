import fs from 'node:fs';
import readline from 'node:readline';
import { once } from 'node:events';
import { TidewatchError } from '../../core/errors';
import { DETECTOR_NAMES, SeriesDetector } from '../../processors/detectors';
import { csvField, headerColumns, parseTimestamp, parseValue, splitLine } from '../series-csv';

export interface DetectArgs {
  input: string | undefined;
  output: string | undefined;
  detector: string | undefined;
  explain: boolean;
}

const SHOWN_BAD_ROWS = 20;

/**
 * `tidewatch detect --input in.csv --output out.csv`: scores one series, sample by sample and
 * never looking ahead, with exactly the detector code the stream runs. Writes
 * `timestamp,value,anomaly_score[,reason]`, one row per input row in the same order; the score is
 * an alarm, non-zero where an anomaly starts (0 while it goes on); rows that cannot be read are
 * scored 0 and reported on stderr with their line numbers.
 */
export async function detectCommand(
  a: DetectArgs,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<void> {
  if (!a.input)
    throw new TidewatchError(
      'TW_ERR_BAD_REQUEST',
      'detect needs --input <file.csv> (header timestamp,value)',
    );
  if (a.detector && a.detector !== 'ensemble' && !DETECTOR_NAMES.includes(a.detector))
    throw new TidewatchError(
      'TW_ERR_BAD_REQUEST',
      `--detector must be ensemble or one of ${DETECTOR_NAMES.join(', ')}, not "${a.detector}"`,
    );
  if (!fs.existsSync(a.input))
    throw new TidewatchError('TW_ERR_BAD_REQUEST', `--input ${a.input}: no such file`);
  if (!fs.statSync(a.input).isFile())
    throw new TidewatchError('TW_ERR_BAD_REQUEST', `--input ${a.input}: not a file`);
  let fd: number | undefined;
  if (a.output && a.output !== '-') {
    try {
      fd = fs.openSync(a.output, 'w');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? String(err);
      throw new TidewatchError('TW_ERR_BAD_REQUEST', `--output ${a.output}: cannot write there (${why})`);
    }
  }
  const detector = new SeriesDetector(
    a.detector && a.detector !== 'ensemble' ? { detectors: [a.detector] } : {},
  );
  const out = fd !== undefined ? fs.createWriteStream('', { fd }) : process.stdout;
  const lines = readline.createInterface({
    input: fs.createReadStream(a.input, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  });

  let columns: { timestamp: number; value: number } | undefined;
  let lineNo = 0;
  let rows = 0;
  const bad: string[] = [];
  let chunk = `timestamp,value,anomaly_score${a.explain ? ',reason' : ''}\n`;
  const flush = async () => {
    if (!out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  for await (const line of lines) {
    lineNo++;
    if (!columns) {
      try {
        columns = headerColumns(line);
      } catch (err) {
        throw new TidewatchError('TW_ERR_BAD_REQUEST', `${a.input} line 1: ${(err as Error).message}`);
      }
      continue;
    }
    if (line.trim() === '') continue;
    rows++;
    const fields = splitLine(line);
    const tsText = fields[columns.timestamp] ?? '';
    const valueText = fields[columns.value] ?? '';
    const t = parseTimestamp(tsText);
    const x = parseValue(valueText);
    let score = 0;
    let reason = '';
    if (Number.isNaN(t) || Number.isNaN(x)) {
      reason = Number.isNaN(t)
        ? `unparsable time "${tsText}"`
        : valueText.trim() === ''
          ? 'missing value'
          : `not a number: "${valueText}"`;
      bad.push(`line ${lineNo}: ${reason}`);
      reason = `skipped: ${reason}`;
    } else {
      const verdict = detector.step(t, x);
      score = verdict.score;
      if (a.explain)
        reason = verdict.warmingUp
          ? 'learning the baseline'
          : score > 0
            ? detector.reason('value')
            : verdict.ongoing
              ? 'the anomaly goes on'
              : '';
    }
    chunk += `${csvField(tsText)},${csvField(valueText)},${Math.round(score * 1e6) / 1e6}${a.explain ? `,${csvField(reason)}` : ''}\n`;
    if (chunk.length >= 1 << 16) await flush();
  }
  if (!columns)
    throw new TidewatchError('TW_ERR_BAD_REQUEST', `${a.input} is empty: expected a header timestamp,value`);
  await flush();
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
  for (const b of bad.slice(0, SHOWN_BAD_ROWS)) stderr.write(`tidewatch detect: ${b} (scored 0)\n`);
  if (bad.length > SHOWN_BAD_ROWS)
    stderr.write(`tidewatch detect: … and ${bad.length - SHOWN_BAD_ROWS} more bad rows\n`);
  stderr.write(
    `tidewatch detect: scored ${rows - bad.length} of ${rows} rows${bad.length ? `; ${bad.length} bad rows scored 0` : ''}\n`,
  );
}
