import crypto from 'node:crypto';
import { digestOf } from './idempotent-insert';

/** The token's definition: sha256 over each identity followed by a newline, row by row. */
function reference(ids: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  for (const id of ids) hash.update(id).update('\n');
  return hash.digest('hex');
}

describe('digestOf', () => {
  it('is sha256 over each identity and a newline, whatever the rows', () => {
    const cases = [
      [],
      ['h:1:1'],
      ['h:1:1', 'h:1:2', ''],
      ['hôte-é:1:9', '主机:2:10', 'a\nb'],
      Array.from({ length: 5000 }, (_, i) => `host-${i % 7}:b:${i}`),
    ];
    for (const ids of cases) expect(digestOf(ids, (id) => id)).toBe(reference(ids));
  });

  it('tells apart rows that join to the same text only with their boundaries', () => {
    expect(digestOf(['ab', 'c'], (id) => id)).not.toBe(digestOf(['a', 'bc'], (id) => id));
  });
});
