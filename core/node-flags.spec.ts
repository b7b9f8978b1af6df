import fs from 'node:fs';
import path from 'node:path';
import { PROCESSOR_NODE_FLAGS } from './node-flags';

const root = path.join(__dirname, '..');

describe('the Node flags the processor runs with', () => {
  it('are the ones npm start passes', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      scripts: { start: string };
    };
    expect(pkg.scripts.start).toBe(`node ${PROCESSOR_NODE_FLAGS.join(' ')} bin/tidewatch.js start`);
  });

  it('are the ones the tidewatch command starts Node with', () => {
    const shebang = fs.readFileSync(path.join(root, 'bin', 'tidewatch.js'), 'utf8').split('\n')[0];
    expect(shebang).toBe(`#!/usr/bin/env -S node ${PROCESSOR_NODE_FLAGS.join(' ')}`);
  });
});
