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
 *   encoder is bound at build time instead (below). The start-up check (`core/kafka/patches.ts`)
 *   then installs and checks the three that apply here (idle-spin-fix, gzip-codec,
 *   partition-grouping) and names the others as left out.
 * - kafkajs's record encoder, as its produce request requires it, is `core/kafka/record-encode.ts`'s
 *   (the same bytes, one exact-size buffer a record instead of a zero-filled 512-byte one and
 *   64-bit Long arithmetic per varint byte): bound here at build time, where the processor swaps
 *   it in `require.cache` (the start-up check still lists record-encode as left out). Its own
 *   fallback, kafkajs's encoder required from record-encode.ts, stays kafkajs's.
 */
const SWAPPED = {
  'core/paths.ts': 'export const projectRoot = () => __dirname;',
  'core/kafka/node-modules-patches.ts': 'export const nodeModulesPatches = null;',
  'core/kafka/lazy-records.ts': 'export const releaseRecords = () => undefined;',
};
const agentBundle = {
  name: 'agent-bundle',
  setup(b) {
    b.onResolve({ filter: /\/recordBatch\/record\/v0$/ }, (args) =>
      args.importer.endsWith(path.join('protocol', 'requests', 'produce', 'v3', 'request.js'))
        ? { path: 'record-encoder', namespace: 'agent-bundle' }
        : undefined,
    );
    b.onLoad({ filter: /^record-encoder$/, namespace: 'agent-bundle' }, () => ({
      contents: "module.exports = require('./core/kafka/record-encode.ts').encodeRecord;",
      resolveDir: root,
      loader: 'js',
    }));
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
// kafkajs requiring its record encoder some other way would silently leave its own in place.
if (!('agent-bundle:record-encoder' in result.metafile.inputs))
  throw new Error(
    "kafkajs's produce request no longer requires recordBatch/record/v0: the agent bundle's record encoder is not in place",
  );
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
