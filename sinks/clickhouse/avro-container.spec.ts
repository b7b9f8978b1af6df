import avro from 'avsc';
import { avroContainer } from './avro-container';

describe('avroContainer', () => {
  const type = avro.Type.forSchema({
    type: 'record',
    name: 'R',
    fields: [
      { name: 's', type: 'string' },
      { name: 'n', type: 'long' },
      { name: 'm', type: { type: 'map', values: 'string' } },
    ],
  });

  it('frames encoded records as a container file that Avro reads back, blocks in order', async () => {
    const records = Array.from({ length: 25 }, (_, i) => ({
      s: `r${i}-é`,
      n: i * 1e9,
      m: i % 2 ? { k: 'v' } : {},
    }));
    const block = (rs: typeof records) => ({
      count: rs.length,
      body: Buffer.concat(rs.map((r) => type.toBuffer(r))),
    });
    const parts = avroContainer(JSON.stringify(type.schema()), [
      block(records.slice(0, 10)),
      { count: 0, body: Buffer.alloc(0) },
      block(records.slice(10)),
    ]);
    const read: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      const decoder = new avro.streams.BlockDecoder();
      decoder
        .on('data', (r: unknown) => read.push(r))
        .on('end', resolve)
        .on('error', reject);
      decoder.end(Buffer.concat(parts));
    });
    expect(read.map((r) => ({ ...(r as object) }))).toEqual(records);
  });
});
