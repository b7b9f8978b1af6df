import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ServerResponse } from 'node:http';
import { serveStatic } from './static-files';

function fakeResponse() {
  const res = {
    status: 0,
    body: '',
    writeHead: (s: number) => ((res.status = s), res),
    end: (b: Buffer) => (res.body = b.toString()),
  };
  return res;
}

describe('serveStatic', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-static-'));
  const root = path.join(base, 'public');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'index.html'), '<h1>hi</h1>');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');

  it('serves files inside the root, index.html for /', () => {
    const res = fakeResponse();
    expect(serveStatic(root, '/', res as unknown as ServerResponse)).toBe(true);
    expect(res).toMatchObject({ status: 200, body: '<h1>hi</h1>' });
  });

  it.each([
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    `/${base}/secret.txt`,
    '/index.html%00.js',
    '/%E0%A4%A',
  ])('refuses %s', (url) => {
    const res = fakeResponse();
    expect(serveStatic(root, url, res as unknown as ServerResponse)).toBe(false);
    expect(res.body).not.toContain('secret');
  });
});
