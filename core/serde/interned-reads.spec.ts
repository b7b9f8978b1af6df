import avro from 'avsc';
import { InternTable, MAX_INTERNED_BYTES, withInternedFields } from './interned-reads';

const sample = avro.Type.forSchema({
  type: 'record',
  name: 'Sample',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'host', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'attributes', type: { type: 'map', values: 'string' } },
  ],
} as avro.Schema);

const interned = new Set(['host', 'attributes']);
const tables = (max = 1000, onReset?: () => void) => ({
  strings: new InternTable(max, onReset),
  maps: new InternTable(max, onReset),
});

type Sample = { id: string; host: string; value: number; attributes: Record<string, string> };

describe('interned reads', () => {
  it('decodes exactly what avsc decodes, over varied records', () => {
    const type = withInternedFields(sample, interned, tables());
    const hosts = ['a', 'web-01', 'ünïcödé-☃', ''];
    const attrs = [{}, { k: 'v' }, { 'system.device': 'sda', 'disk.io.direction': 'write' }, { '': '' }];
    for (let i = 0; i < 200; i++) {
      const value = {
        id: `h:${i}`,
        host: hosts[i % hosts.length]!,
        value: i / 7,
        attributes: attrs[(i * 7) % attrs.length]!,
      };
      const buf = sample.toBuffer(value);
      expect(type.fromBuffer(buf)).toEqual(sample.fromBuffer(buf));
    }
  });

  it('shares one frozen object per distinct map and leaves other fields alone', () => {
    const type = withInternedFields(sample, interned, tables());
    const encode = (id: string, attributes: Record<string, string>) =>
      sample.toBuffer({ id, host: 'h', value: 1, attributes });
    const a = type.fromBuffer(encode('1', { k: 'v' })) as Sample;
    const b = type.fromBuffer(encode('2', { k: 'v' })) as Sample;
    const c = type.fromBuffer(encode('3', { k: 'w' })) as Sample;
    expect(b.attributes).toBe(a.attributes);
    expect(c.attributes).not.toBe(a.attributes);
    expect(Object.isFrozen(a.attributes)).toBe(true);
    expect([a.id, b.id, c.id]).toEqual(['1', '2', '3']);
    expect(sample.fromBuffer(encode('4', { k: 'v' })).attributes).not.toBe(a.attributes);
  });

  it('starts a full table over, counts it, and still decodes correctly', () => {
    let told = 0;
    const t = tables(2, () => told++);
    const type = withInternedFields(sample, interned, t);
    for (const host of ['a', 'b', 'c', 'a'])
      expect(
        (type.fromBuffer(sample.toBuffer({ id: 'x', host, value: 0, attributes: {} })) as Sample).host,
      ).toBe(host);
    expect(told).toBe(1);
    expect(t.strings.size).toBeLessThanOrEqual(2);
  });

  it('fails on malformed input as avsc does', () => {
    const type = withInternedFields(sample, interned, tables());
    const buf = sample.toBuffer({ id: 'x', host: 'host', value: 1, attributes: { k: 'v' } });
    expect(() => type.fromBuffer(buf.subarray(0, buf.length - 3))).toThrow('truncated buffer');
    expect(() => type.fromBuffer(Buffer.concat([buf, Buffer.from([0])]))).toThrow('trailing data');
    // A negative string length: avsc marks the read invalid.
    const negative = Buffer.from([2, 0x78, 1, 0x68]);
    expect(() => type.fromBuffer(negative)).toThrow();
    expect(() => sample.fromBuffer(negative)).toThrow();
  });

  it('returns the type itself when there is nothing to intern', () => {
    const t = tables();
    expect(withInternedFields(sample, new Set(['value', 'missing']), t)).toBe(sample);
    const str = avro.Type.forSchema('string');
    expect(withInternedFields(str, interned, t)).toBe(str);
  });

  it('keys by bytes wherever they lie, and keeps thousands of entries apart', () => {
    const table = new InternTable(10_000);
    const keys = Array.from({ length: 3000 }, (_, i) => Buffer.from(`key-${i * 7919}`));
    keys.forEach((k, i) => table.set(k, 0, k.length, i));
    expect(table.size).toBe(3000);
    // the same bytes inside another buffer, at another offset
    const found = keys.map((k) => table.get(Buffer.from(`xyz${k.toString()}!`), 3, 3 + k.length));
    expect(found).toEqual(keys.map((_, i) => i));
    const prefix = Buffer.from('key-7');
    expect(table.get(prefix, 0, prefix.length)).toBeUndefined(); // a prefix of held keys is its own key
  });

  it('does not keep an encoding longer than the limit, and still decodes it', () => {
    const type = withInternedFields(sample, interned, tables());
    const long = 'h'.repeat(MAX_INTERNED_BYTES + 1);
    const buf = sample.toBuffer({ id: 'x', host: 'h', value: 0, attributes: { k: long } });
    const a = type.fromBuffer(buf) as Sample;
    const b = type.fromBuffer(buf) as Sample;
    expect(a.attributes).toEqual({ k: long });
    expect(b.attributes).not.toBe(a.attributes);
  });

  it('starts over when its key bytes are full, and counts it', () => {
    let told = 0;
    const table = new InternTable(1000, () => told++); // 1000 entries, but 64 KiB of key bytes
    const key = (i: number) => Buffer.from(`${i}`.padStart(1000, '-'));
    for (let i = 0; i < 70; i++) table.set(key(i), 0, 1000, i);
    expect(told).toBe(1); // at the 66th key
    expect(table.size).toBe(70 - 65);
    const last = key(69);
    expect(table.get(last, 0, 1000)).toBe(69);
    expect(table.get(key(0), 0, 1000)).toBeUndefined();
  });
});
