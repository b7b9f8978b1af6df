// Builds the standalone host agent into dist/agent/ (`npm run package:agent`): one bundled
// tidewatch-agent.cjs that runs with plain node (20 or later) and no node_modules, the Avro
// schemas it registers, the systemd unit and the Kubernetes DaemonSet.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(root, 'dist', 'agent');
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;

/**
 * The bundle's own adjustments:
 * - `core/paths.ts`: the project root is the bundle's folder (its schemas/ sit beside it).
 * - the kafkajs patches that need kafkajs as files in node_modules (two swap a module through
 *   `require.cache`, which a bundle does not have): an agent never consumes, and its record
 *   encoder is kafkajs's own. The start-up check (`core/kafka/patches.ts`) then installs and
 *   checks the two that apply here (idle-spin-fix, gzip-codec) and names the others as left out.
 */
const SWAPPED = {
  'core/paths.ts': 'export const projectRoot = () => __dirname;',
  'core/kafka/node-modules-patches.ts': 'export const nodeModulesPatches = null;',
  'core/kafka/lazy-records.ts': 'export const releaseRecords = () => undefined;',
};
const agentBundle = {
  name: 'agent-bundle',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const rel = path.relative(root, args.path).split(path.sep).join('/');
      return rel in SWAPPED ? { contents: SWAPPED[rel], loader: 'ts' } : undefined;
    });
  },
};

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'schemas'), { recursive: true });
const result = await build({
  entryPoints: [path.join(root, 'packaging', 'agent', 'agent-main.ts')],
  outfile: path.join(out, 'tidewatch-agent.cjs'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  keepNames: true,
  legalComments: 'linked',
  define: { TIDEWATCH_VERSION: JSON.stringify(version) },
  plugins: [agentBundle],
  metafile: true,
  logLevel: 'warning',
});
for (const name of ['metric-sample', 'process-event'])
  fs.copyFileSync(path.join(root, 'schemas', `${name}.avsc`), path.join(out, 'schemas', `${name}.avsc`));
for (const file of ['tidewatch-agent.service', 'daemonset.yaml', 'tidewatch-agent'])
  fs.copyFileSync(path.join(root, 'packaging', 'agent', file), path.join(out, file));
fs.chmodSync(path.join(out, 'tidewatch-agent'), 0o755);
fs.writeFileSync(path.join(root, 'dist', 'agent-bundle.meta.json'), JSON.stringify(result.metafile));
const bytes = fs
  .readdirSync(out)
  .reduce(
    (n, f) => n + (fs.statSync(path.join(out, f)).isFile() ? fs.statSync(path.join(out, f)).size : 0),
    0,
  );
process.stdout.write(`dist/agent: tidewatch-agent.cjs ${version}, ${(bytes / 1e6).toFixed(1)} MB\n`);
