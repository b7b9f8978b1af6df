import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths';
import { ERROR_CODES } from './errors';

describe('error codes', () => {
  const doc = fs.readFileSync(path.join(projectRoot(), 'docs', 'errors.md'), 'utf8');

  it.each(Object.keys(ERROR_CODES))('%s is documented in docs/errors.md', (code) => {
    expect(doc).toContain(`\`${code}\``);
  });

  it('documents no code that does not exist', () => {
    const documented = [...doc.matchAll(/`(TW_ERR_[A-Z_]+)`/g)].map((m) => m[1]);
    expect(documented.filter((c) => !(c! in ERROR_CODES))).toEqual([]);
  });
});
