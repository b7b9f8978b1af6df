import fs from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/** The folder holding Tidewatch's package.json, from source (ts) or from dist/ alike. */
export function projectRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'tidewatch') {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the tidewatch package root above ${__dirname}`);
    dir = parent;
  }
}
