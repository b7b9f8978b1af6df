import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { SeriesDetector } from '../../processors/detectors';
import { detectCommand } from './detect';

describe('tidewatch detect', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-detect-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const run = async (input: string, extra: Partial<Parameters<typeof detectCommand>[0]> = {}) => {
    const output = `${input}.out`;
    const err = new PassThrough();
    let stderr = '';
    err.on('data', (d) => (stderr += String(d)));
    await detectCommand({ input, output, detector: undefined, explain: false, ...extra }, err);
    return { rows: fs.readFileSync(output, 'utf8').trimEnd().split('\n'), stderr };
  };

  it('writes one row per input row, in order, with the scores the detector gives', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const values = Array.from({ length: 300 }, (_, i) => (i === 250 ? 90 : 10 + Math.sin(i)));
    const text = values.map((v, i) => `${new Date(t0 + i * 60_000).toISOString()},${v}`).join('\n');
    const { rows } = await run(write('a.csv', `timestamp,value\n${text}\n`));
    expect(rows[0]).toBe('timestamp,value,anomaly_score');
    expect(rows).toHaveLength(301);
    const d = new SeriesDetector();
    values.forEach((v, i) => {
      const [ts, value, score] = rows[i + 1]!.split(',');
      expect(ts).toBe(new Date(t0 + i * 60_000).toISOString());
      expect(Number(value)).toBe(v);
      expect(Number(score)).toBeCloseTo(d.step(t0 + i * 60_000, v).score, 5);
    });
    expect(Number(rows[251]!.split(',')[2])).toBeGreaterThan(0.9);
  });

  it('reports bad rows with their line numbers and keeps going', async () => {
    const file = write(
      'b.csv',
      'timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:01:00,\nnot-a-time,3\n2026-01-01 00:03:00,x\n2026-01-01 00:04:00,4\n',
    );
    const { rows, stderr } = await run(file, { explain: true });
    expect(rows).toHaveLength(6);
    expect(rows[0]).toBe('timestamp,value,anomaly_score,reason');
    expect(rows[2]).toBe('2026-01-01 00:01:00,,0,skipped: missing value');
    expect(stderr).toContain('line 3: missing value');
    expect(stderr).toContain('line 4: unparsable time "not-a-time"');
    expect(stderr).toContain('line 5: not a number: "x"');
    expect(stderr).toContain('scored 2 of 5 rows; 3 bad rows scored 0');
  });

  it('refuses a file without the header, an unknown detector and a missing file', async () => {
    await expect(run(write('c.csv', 'time,v\n1,2\n'))).rejects.toThrow(
      /line 1: the header must name the columns timestamp and value/,
    );
    await expect(run(write('d.csv', 'timestamp,value\n'), { detector: 'magic' })).rejects.toThrow(
      /--detector must be ensemble or one of range, spike, level-shift/,
    );
    await expect(run(path.join(dir, 'missing.csv'))).rejects.toThrow(/no such file/);
    await expect(run(dir)).rejects.toThrow(/not a file/);
    const input = write('f.csv', 'timestamp,value\n1,2\n');
    await expect(
      detectCommand(
        { input, output: path.join(dir, 'no', 'such', 'dir.csv'), detector: undefined, explain: false },
        new PassThrough(),
      ),
    ).rejects.toThrow(/--output .*: cannot write there \(ENOENT\)/);
  });

  it('explains the alarm at an onset, and says an anomaly goes on without alarming again', async () => {
    const t0 = Date.UTC(2026, 0, 1);
    const values = Array.from({ length: 400 }, (_, i) => (i >= 300 ? 50 : 10 + Math.sin(i)));
    const text = values.map((v, i) => `${new Date(t0 + i * 60_000).toISOString()},${v}`).join('\n');
    const { rows } = await run(write('g.csv', `timestamp,value\n${text}\n`), { explain: true });
    const scored = rows.slice(1).map((r) => r.split(','));
    const alarms = scored.flatMap((f, i) => (Number(f[2]) > 0 && i >= 100 ? [i] : []));
    expect(alarms[0]).toBe(300);
    expect(alarms.every((i) => i < 310)).toBe(true);
    expect(scored[300]![3]).toMatch(/^value (50 is far above its usual|jumped up by 40)/);
    expect(scored[305]![3]).toBe('the anomaly goes on');
    expect(scored[20]![3]).toBe('learning the baseline');
  });

  it('runs one detector alone', async () => {
    const file = write(
      'e.csv',
      `timestamp,value\n${Array.from({ length: 100 }, (_, i) => `${i * 1000},${i % 7}`).join('\n')}\n`,
    );
    const { rows } = await run(file, { detector: 'flatline' });
    expect(rows).toHaveLength(101);
  });
});
