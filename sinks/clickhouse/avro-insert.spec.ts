import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ClickHouseClient } from './client';
import { insertAvroFile, writeAll, type GatheredWrites } from './avro-insert';

const parts = () => [
  Buffer.from('Obj\u0001'),
  Buffer.alloc(0),
  Buffer.from('a schema'),
  Buffer.alloc(700, 7),
  Buffer.alloc(0),
  Buffer.from('sync marker 0123'),
];

/** A handle that takes at most `most` bytes per write, and records each write's buffer count. */
function shortWrites(most: number) {
  const out: Buffer[] = [];
  const calls: number[] = [];
  const handle: GatheredWrites = {
    writev: async (buffers) => {
      calls.push(buffers.length);
      const all = Buffer.concat(buffers);
      const taken = all.subarray(0, Math.min(most, all.length));
      out.push(Buffer.from(taken));
      return { bytesWritten: taken.length };
    },
  };
  return { handle, written: () => Buffer.concat(out), calls };
}

describe('writeAll', () => {
  it('writes every part in order, in one gathered write when the file takes it all', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-write-all-'));
    try {
      const file = path.join(dir, 'f');
      const handle = await fs.promises.open(file, 'w');
      const writev = jest.spyOn(handle, 'writev');
      await writeAll(handle, parts());
      await handle.close();
      expect(fs.readFileSync(file).equals(Buffer.concat(parts()))).toBe(true);
      expect(writev).toHaveBeenCalledTimes(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('goes on from where a short write stopped, inside a part or at its end', async () => {
    for (const most of [1000, 4, 8, 12, 699]) {
      const w = shortWrites(most);
      await writeAll(w.handle, parts());
      expect(w.written().equals(Buffer.concat(parts()))).toBe(true);
      expect(w.calls.length).toBe(Math.ceil(Buffer.concat(parts()).length / most));
    }
  });

  it('fails instead of spinning when a write takes nothing', async () => {
    await expect(writeAll(shortWrites(0).handle, parts())).rejects.toThrow('a write took no bytes');
  });

  it('writes nothing for no bytes', async () => {
    const w = shortWrites(10);
    await writeAll(w.handle, [Buffer.alloc(0)]);
    expect(w.calls).toEqual([]);
  });
});

describe('insertAvroFile', () => {
  it("writes the engine's file 0600 whatever the umask, and removes it afterwards", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avro-insert-'));
    const umask = process.umask(0o022);
    const seen: string[] = [];
    // Stands in for the engine: looks at the file the insert names while it exists.
    const client = {
      command: async ({ query }: { query: string }) => {
        const file = /file\('([^']+)'/.exec(query)![1]!;
        seen.push((fs.statSync(file).mode & 0o777).toString(8));
      },
    } as unknown as ClickHouseClient;
    try {
      await insertAvroFile(client, {
        table: 't',
        columns: [['a', 'a']],
        schema: '{"type":"record","name":"r","fields":[{"name":"a","type":"long"}]}',
        chunks: [],
        dir,
        settings: {},
      });
      expect(seen).toEqual(['600']);
      expect(fs.readdirSync(dir)).toEqual([]);
    } finally {
      process.umask(umask);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
