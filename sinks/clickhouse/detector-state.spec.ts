import { encodeDetectorStates, tsvField } from './detector-state';

/** A TabSeparated field read back as ClickHouse reads it. */
const unescape = (field: string) =>
  field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c);

describe('detector states encoded for their insert', () => {
  it('writes one TabSeparated line per state that reads back as it was', () => {
    const rows = [
      { series: 's\t1', host: 'h\\q', state: '{"note":"a \\"b\\"\\\\c"}' },
      { series: 'plain', host: 'h2\r\n', state: 'x' },
      { series: 'ünï', host: 'h', state: '{"v":1}' },
    ];
    const encoded = encodeDetectorStates(rows, Date.UTC(2026, 11, 8, 1, 2, 3, 45));
    const lines = Buffer.from(encoded.bytes).toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(encoded.count).toBe(3);
    expect(lines.map((l) => l.split('\t').map(unescape))).toEqual(
      rows.map((r) => [r.series, r.host, r.state, '2026-12-08 01:02:03.045']),
    );
  });

  it('leaves a field without special characters as it is', () => {
    const s = '{"a":[1,2]}';
    expect(tsvField(s)).toBe(s);
    expect(tsvField('a\\b')).toBe('a\\\\b');
  });

  it('gives a buffer of its own, so the thread that made it can hand it over', () => {
    const { bytes } = encodeDetectorStates([{ series: 's', host: 'h', state: 'x' }], 0);
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
  });
});
