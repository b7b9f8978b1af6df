import avro from 'avsc';
import { DecodeError } from '../errors';
import { createAvroSerde } from './avro-serde';
import type { RegistryClient } from './schema-registry';
import { frame } from './wire-format';

const schema = {
  type: 'record',
  name: 'T',
  fields: [
    { name: 'a', type: 'string' },
    { name: 'n', type: 'double' },
  ],
};

function fakeRegistry() {
  const byId = new Map<number, avro.Type>([[7, avro.Type.forSchema(schema as avro.Schema)]]);
  const fetches: number[] = [];
  const registry: RegistryClient = {
    register: async () => 7,
    fetch: async (id) => {
      fetches.push(id);
      const type = byId.get(id);
      if (!type) throw new DecodeError('TW_ERR_UNKNOWN_SCHEMA', `no ${id}`);
      return type;
    },
    subjectsOf: async (id) => (byId.has(id) ? ['t-value'] : []),
  };
  return { registry, fetches };
}

describe('avro serde', () => {
  it('round-trips in the Confluent wire format', async () => {
    const serde = createAvroSerde(fakeRegistry().registry);
    const id = await serde.register('t', schema);
    const buf = serde.encode(id, { a: 'x', n: 1.5 });
    expect(buf[0]).toBe(0);
    expect(buf.readUInt32BE(1)).toBe(7);
    expect(serde.decode(buf)).toEqual({ a: 'x', n: 1.5 });
  });

  it('encodes each record as its own frame of what avsc writes, small or past the scratch space', async () => {
    const serde = createAvroSerde(fakeRegistry().registry);
    const id = await serde.register('t', schema);
    const writer = avro.Type.forSchema(schema as avro.Schema);
    const values = [
      { a: '', n: 0 },
      { a: 'hôte-é', n: -1.25 },
      { a: 'x'.repeat(70_000), n: 3 }, // past the 64 KiB scratch space
      { a: 'y'.repeat(65_520), n: 4 }, // 5 + 3 + 65 520 + 8: the frame fills the scratch space exactly
      { a: 'z', n: Number.MAX_VALUE },
    ];
    const encoded = values.map((v) => serde.encode(id, v));
    encoded.forEach((buf, i) => expect(buf.equals(frame(7, writer.toBuffer(values[i])))).toBe(true));
    expect(encoded.map((buf) => serde.decode(buf))).toEqual(values);
  });

  it('fetches an unknown id once, then decodes from the cache', async () => {
    const { registry, fetches } = fakeRegistry();
    const writer = avro.Type.forSchema(schema as avro.Schema);
    const buf = frame(7, writer.toBuffer({ a: 'y', n: 2 }));
    const serde = createAvroSerde(registry);
    await serde.prepare([buf, buf]);
    await serde.prepare([buf]);
    expect(fetches).toEqual([7]);
    expect(serde.decode(buf)).toEqual({ a: 'y', n: 2 });
  });

  it('remembers ids the registry does not know and asks once', async () => {
    const { registry, fetches } = fakeRegistry();
    const serde = createAvroSerde(registry);
    const buf = frame(99, Buffer.from([1, 2, 3]));
    await serde.prepare([buf]);
    await serde.prepare([buf]);
    expect(fetches).toEqual([99]);
    expect(() => serde.decode(buf)).toThrow(expect.objectContaining({ code: 'TW_ERR_UNKNOWN_SCHEMA' }));
  });

  it('classifies bad frames and bad bodies', async () => {
    const serde = createAvroSerde(fakeRegistry().registry);
    const id = await serde.register('t', schema);
    const good = serde.encode(id, { a: 'hello', n: 3 });
    expect(() => serde.decode(Buffer.from([1, 0, 0, 0, 7, 0]))).toThrow(
      expect.objectContaining({ code: 'TW_ERR_BAD_MAGIC' }),
    );
    expect(() => serde.decode(null)).toThrow(expect.objectContaining({ code: 'TW_ERR_BAD_MAGIC' }));
    expect(() => serde.decode(good.subarray(0, good.length - 4))).toThrow(
      expect.objectContaining({ code: 'TW_ERR_AVRO_DECODE' }),
    );
  });

  it('shares the values of interned fields between decoded records, from registered and fetched schemas', async () => {
    const tagged = {
      type: 'record',
      name: 'Tagged',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'tags', type: { type: 'map', values: 'string' } },
      ],
    };
    const type = avro.Type.forSchema(tagged as avro.Schema);
    const registry: RegistryClient = {
      register: async () => 3,
      fetch: async () => type,
      subjectsOf: async () => ['t-value'],
    };
    const fetched = createAvroSerde(registry, { internedFields: ['tags'] });
    const registered = createAvroSerde(registry, { internedFields: ['tags'] });
    await registered.register('t', tagged);
    for (const serde of [fetched, registered]) {
      const records = [
        frame(3, type.toBuffer({ id: '1', tags: { k: 'v' } })),
        frame(3, type.toBuffer({ id: '2', tags: { k: 'v' } })),
      ];
      await serde.prepare(records);
      const [a, b] = records.map((r) => serde.decode<{ id: string; tags: object }>(r));
      expect([a!.id, b!.id]).toEqual(['1', '2']);
      expect(b!.tags).toEqual({ k: 'v' });
      expect(b!.tags).toBe(a!.tags);
    }
  });
});
