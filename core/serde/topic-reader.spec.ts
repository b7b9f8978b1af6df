import avro from 'avsc';
import { DecodeError, TidewatchError } from '../errors';
import { createAvroSerde } from './avro-serde';
import type { RegistryClient } from './schema-registry';
import { frame } from './wire-format';

const sample = {
  type: 'record',
  name: 'Sample',
  fields: [
    { name: 'host', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'attributes', type: { type: 'map', values: 'string' }, default: {} },
  ],
};
const withFields = (fields: object[]) => ({ ...sample, fields });
/** An older version: no attributes yet, and an int value (promoted to double on read). */
const older = withFields([
  { name: 'host', type: 'string' },
  { name: 'value', type: 'int' },
]);
/** A newer version: one optional field more. */
const newer = withFields([...sample.fields, { name: 'agent', type: ['null', 'string'], default: null }]);
/** The poison pill: attributes of longs. */
const longs = withFields([
  { name: 'host', type: 'string' },
  { name: 'value', type: 'double' },
  { name: 'attributes', type: { type: 'map', values: 'long' } },
]);

/** A registry of ids 1.. with the subjects each is registered under; the sample itself is id 1 under `t-value`. */
function registry(entries: Record<number, { schema: object; subjects: string[] }>) {
  const calls: string[] = [];
  const client: RegistryClient = {
    register: async () => 1,
    fetch: async (id) => {
      calls.push(`fetch ${id}`);
      const entry = entries[id];
      if (!entry) throw new DecodeError('TW_ERR_UNKNOWN_SCHEMA', `no ${id}`);
      return avro.Type.forSchema(entry.schema as avro.Schema);
    },
    subjectsOf: async (id) => {
      calls.push(`subjects ${id}`);
      return entries[id]?.subjects ?? [];
    },
  };
  return { client, calls };
}

const encoded = (id: number, schema: object, value: object) =>
  frame(id, avro.Type.forSchema(schema as avro.Schema).toBuffer(value));

async function readerOf(entries: Parameters<typeof registry>[0], options = {}) {
  const { client, calls } = registry({ 1: { schema: sample, subjects: ['t-value'] }, ...entries });
  const serde = createAvroSerde(client, options);
  await serde.register('t', sample);
  return { serde, calls };
}

describe('reading a topic into its reader schema', () => {
  it('refuses a writer schema registered only under another subject, even one that would resolve', async () => {
    const { serde } = await readerOf({
      2: { schema: sample, subjects: ['other-value'] },
      3: { schema: longs, subjects: ['other-value', 'x', 'y', 'z'] },
    });
    const same = encoded(2, sample, { host: 'h', value: 1, attributes: {} });
    const poison = encoded(3, longs, { host: 'h', value: 1, attributes: { n: 5 } });
    await serde.prepare([same, poison]);
    expect(() => serde.decodeFrom('t', same)).toThrow(
      new DecodeError(
        'TW_ERR_FOREIGN_SCHEMA',
        'schema id 2 is registered under "other-value", not under t-value',
      ),
    );
    expect(() => serde.decodeFrom('t', poison)).toThrow(
      expect.objectContaining({
        code: 'TW_ERR_FOREIGN_SCHEMA',
        message: 'schema id 3 is registered under "other-value", "x", "y" and 1 more, not under t-value',
      }),
    );
    // Read as its writer wrote it, the poison's attributes are numbers: what decodeFrom keeps out.
    expect(serde.decode<{ attributes: object }>(poison).attributes).toEqual({ n: 5 });
  });

  it('resolves older and newer writer versions of the subject to the reader schema', async () => {
    const { serde } = await readerOf({
      2: { schema: older, subjects: ['t-value'] },
      3: { schema: newer, subjects: ['t-value'] },
    });
    const old = encoded(2, older, { host: 'a', value: 7 });
    const recent = encoded(3, newer, {
      host: 'b',
      value: 1.5,
      attributes: { k: 'v' },
      agent: '2.0',
    });
    await serde.prepare([old, recent]);
    expect(serde.decodeFrom('t', old)).toEqual({ host: 'a', value: 7, attributes: {} });
    expect(serde.decodeFrom('t', recent)).toEqual({ host: 'b', value: 1.5, attributes: { k: 'v' } });
    expect(serde.decodeFrom('t', recent)).not.toHaveProperty('agent');
  });

  it('refuses a version of the subject that does not resolve, with the reason', async () => {
    const { serde } = await readerOf({ 2: { schema: longs, subjects: ['t-value'] } });
    const poison = encoded(2, longs, { host: 'h', value: 1, attributes: { n: 5 } });
    await serde.prepare([poison]);
    expect(() => serde.decodeFrom('t', poison)).toThrow(
      expect.objectContaining({
        code: 'TW_ERR_SCHEMA_MISMATCH',
        message: expect.stringMatching(/^writer schema id 2 cannot be read as Sample: /),
      }),
    );
  });

  it('reads the reader’s own schema through the interned fast path', async () => {
    const { serde } = await readerOf({}, { internedFields: ['attributes'] });
    const records = [1, 2].map((v) => encoded(1, sample, { host: 'h', value: v, attributes: { k: 'v' } }));
    await serde.prepare(records);
    const [a, b] = records.map((r) => serde.decodeFrom<{ value: number; attributes: object }>('t', r));
    expect([a!.value, b!.value]).toEqual([1, 2]);
    expect(b!.attributes).toBe(a!.attributes);
    expect(Object.isFrozen(a!.attributes)).toBe(true);
  });

  it('asks the registry for an id’s subjects once, and only for ids it knows', async () => {
    const { serde, calls } = await readerOf({ 2: { schema: sample, subjects: ['other-value'] } });
    const foreign = encoded(2, sample, { host: 'h', value: 1, attributes: {} });
    const unknown = frame(9, Buffer.from([0]));
    await serde.prepare([foreign, foreign, unknown]);
    await serde.prepare([foreign, unknown]);
    expect(calls).toEqual(['fetch 2', 'fetch 9', 'subjects 2']);
    expect(() => serde.decodeFrom('t', unknown)).toThrow(
      expect.objectContaining({ code: 'TW_ERR_UNKNOWN_SCHEMA' }),
    );
  });

  it('remembers at most maxCheckedIds subjects; one forgotten is refused, and looked up again when met', async () => {
    const { serde, calls } = await readerOf(
      { 2: { schema: sample, subjects: ['t-value'] }, 3: { schema: sample, subjects: ['t-value'] } },
      { maxCheckedIds: 1 },
    );
    const two = encoded(2, sample, { host: 'h', value: 2, attributes: {} });
    const three = encoded(3, sample, { host: 'h', value: 3, attributes: {} });
    await serde.prepare([two, three]); // 2's subjects are forgotten for 3's
    expect(() => serde.decodeFrom('t', two)).toThrow(
      expect.objectContaining({ code: 'TW_ERR_FOREIGN_SCHEMA' }),
    );
    expect(serde.decodeFrom('t', three)).toMatchObject({ value: 3 });
    await serde.prepare([two]);
    expect(serde.decodeFrom('t', two)).toMatchObject({ value: 2 });
    expect(calls.filter((c) => c === 'subjects 2')).toHaveLength(2);
  });

  it('lets a registry that cannot say an id’s subjects fail prepare (retried), never turns it into a verdict', async () => {
    const { client } = registry({ 1: { schema: sample, subjects: ['t-value'] } });
    let down = true;
    const unavailable = new TidewatchError('TW_ERR_REGISTRY_UNAVAILABLE', 'down', { retriable: true });
    const serde = createAvroSerde({
      ...client,
      subjectsOf: async (id) => {
        if (down) throw unavailable;
        return client.subjectsOf(id);
      },
    });
    await serde.register('t', sample);
    const record = encoded(1, sample, { host: 'h', value: 1, attributes: {} });
    await expect(serde.prepare([record])).rejects.toBe(unavailable);
    down = false;
    await serde.prepare([record]);
    expect(serde.decodeFrom('t', record)).toEqual({ host: 'h', value: 1, attributes: {} });
  });

  it('reads a topic it never registered with the writer schema, as decode does', async () => {
    const { serde } = await readerOf({ 2: { schema: longs, subjects: ['other-value'] } });
    const record = encoded(2, longs, { host: 'h', value: 1, attributes: { n: 5 } });
    await serde.prepare([record]);
    expect(serde.decodeFrom('unregistered', record)).toEqual(serde.decode(record));
  });
});
