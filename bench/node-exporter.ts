import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The prometheus-node-exporter binary to compare the agent against: the installed one, or the
 * Debian package fetched with `apt-get download` and unpacked under the cache folder (no root
 * needed). Fails with what to do when neither works.
 */
export function nodeExporterBinary(cacheDir: string): string {
  for (const candidate of ['/usr/bin/prometheus-node-exporter', '/usr/local/bin/node_exporter']) {
    if (fs.existsSync(candidate)) return candidate;
  }
  const dir = path.join(cacheDir, 'node-exporter');
  const binary = path.join(dir, 'root', 'usr', 'bin', 'prometheus-node-exporter');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  try {
    execFileSync('apt-get', ['download', 'prometheus-node-exporter'], { cwd: dir, stdio: 'pipe' });
    const deb = fs.readdirSync(dir).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error('apt-get download left no .deb');
    execFileSync('dpkg-deb', ['-x', path.join(dir, deb), path.join(dir, 'root')], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(
      `prometheus-node-exporter is needed for the comparison: install it (apt-get install prometheus-node-exporter) ` +
        `or run apt-get update so it can be downloaded (${(err as Error).message.split('\n')[0]})`,
    );
  }
  return binary;
}
