import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** One recorded series: sample times (ms) and values, in order. */
export interface RecordedSeries {
  name: string;
  timestamps: number[];
  values: number[];
}

/** `data/` beside this file, in the sources or (from `dist/bench/detect`) back in them. */
export const RECORDINGS_DIR = [
  path.join(__dirname, 'data'),
  path.join(__dirname, '..', '..', '..', 'bench', 'detect', 'data'),
].find((d) => fs.existsSync(d))!;

/**
 * Reads recordings of `record-host.ts` (`t,series,value` rows, gzip-compressed when the name
 * ends in .gz) from `dir` into one series per file and name, in time order.
 */
export function recordedSeries(dir = RECORDINGS_DIR): RecordedSeries[] {
  const out: RecordedSeries[] = [];
  for (const file of fs.readdirSync(dir).sort()) {
    if (!/\.csv(\.gz)?$/.test(file)) continue;
    const raw = fs.readFileSync(path.join(dir, file));
    const text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
    const bySeries = new Map<string, RecordedSeries>();
    for (const line of text.split('\n')) {
      const [t, name, v] = line.split(',');
      const value = Number(v);
      if (!name || !Number.isFinite(value)) continue;
      let s = bySeries.get(name);
      if (!s)
        bySeries.set(
          name,
          (s = { name: `${file.replace(/\.csv(\.gz)?$/, '')}/${name}`, timestamps: [], values: [] }),
        );
      s.timestamps.push(Number(t));
      s.values.push(value);
    }
    out.push(...bySeries.values());
  }
  return out;
}
