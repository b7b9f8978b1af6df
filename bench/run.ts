import { parseArgs } from 'node:util';
import { agentBench } from './agent';
import { backpressureBench } from './backpressure';
import { dashboardSoakBench } from './dashboard-soak';
import { detectBench } from './detect';
import { fleetBench, fleetSweep } from './fleet';
import { gatewayBench } from './gateway';
import { latencyBench } from './latency';
import { pipelineBench } from './pipeline';
import { rollupBench } from './rollup';
import { storageBench } from './storage';

/** `npm run bench -- <scenario> [--events N] [--hosts H]`: runs one scenario and prints one JSON line. */
const SCENARIOS: Record<
  string,
  (args: Record<string, string | undefined>) => Promise<Record<string, unknown> | Record<string, unknown>[]>
> = {
  agent: (a) =>
    agentBench({
      seconds: Number(a.seconds ?? 120),
      intervals: (a.intervals ?? '5,1').split(',').map(Number),
      agent: a.agent === 'cli' ? 'cli' : 'bundle',
    }),
  pipeline: (a) =>
    pipelineBench({
      events: Number(a.events ?? 200_000),
      hosts: Number(a.hosts ?? 100),
      detect: a.detect !== 'off',
      cpuProfile: a['cpu-profile'],
      processor: a.processor ? (JSON.parse(a.processor) as Record<string, unknown>) : {},
      rawInserts: a['raw-inserts'] === 'json' ? 'json' : 'avro',
    }),
  fleet: (a) => {
    const options = {
      seriesPerHost: Number(a['series-per-host'] ?? 100),
      intervalS: Number(a['interval-s'] ?? 10),
      minutes: Number(a.minutes ?? 5),
      processors: Number(a.processors ?? 1),
      detect: a.detect !== 'off',
      cpuProfile: a['cpu-profile'],
      processor: a.processor ? (JSON.parse(a.processor) as Record<string, unknown>) : {},
    };
    return a['series-sweep']
      ? fleetSweep(options, a['series-sweep'].split(',').map(Number))
      : fleetBench({ ...options, hosts: Number(a.hosts ?? 1000) });
  },
  latency: (a) =>
    latencyBench({
      rate: Number(a.rate ?? 20_000),
      seconds: Number(a.seconds ?? 60),
      hosts: Number(a.hosts ?? 200),
      warmupSeconds: Number(a['warmup-seconds'] ?? 10),
      kafkaOnly: a['kafka-only'] !== 'off',
    }),
  backpressure: (a) =>
    backpressureBench({
      rate: Number(a.rate ?? 20_000),
      seconds: Number(a.seconds ?? 90),
      hosts: Number(a.hosts ?? 100),
    }),
  rollup: (a) =>
    rollupBench({
      hosts: Number(a.hosts ?? 1000),
      seriesPerHost: Number(a['series-per-host'] ?? 100),
      intervalS: Number(a['interval-s'] ?? 10),
      minutes: Number(a.minutes ?? 10),
      batchRows: Number(a['batch-rows'] ?? 50_000),
      lateHostShare: Number(a['late-host-share'] ?? 0.05),
    }),
  storage: (a) =>
    storageBench({
      hosts: Number(a.hosts ?? 100),
      hours: Number(a.hours ?? 2),
      batchRows: Number(a['batch-rows'] ?? 20_000),
      queryRuns: Number(a['query-runs'] ?? 40),
    }),
  gateway: (a) =>
    gatewayBench({
      clients: Number(a.clients ?? 1000),
      rate: Number(a.rate ?? 20),
      batch: Number(a.batch ?? 10),
      seconds: Number(a.seconds ?? 20),
      workers: Number(a.workers ?? 2),
    }),
  'dashboard-soak': (a) =>
    dashboardSoakBench({
      minutes: Number(a.minutes ?? 10),
      hosts: Number(a.hosts ?? 20),
      rate: Number(a.rate ?? 200),
      dwell: Number(a.dwell ?? 4),
    }),
  detect: (a) =>
    detectBench({
      perKind: Number(a['per-kind'] ?? 10),
      detector: a.detector,
      threshold: Number(a.threshold ?? 0.5),
    }),
};

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      events: { type: 'string' },
      hosts: { type: 'string' },
      'per-kind': { type: 'string' },
      detector: { type: 'string' },
      threshold: { type: 'string' },
      detect: { type: 'string' },
      'raw-inserts': { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      intervals: { type: 'string' },
      agent: { type: 'string' },
      hours: { type: 'string' },
      'batch-rows': { type: 'string' },
      'query-runs': { type: 'string' },
      clients: { type: 'string' },
      batch: { type: 'string' },
      workers: { type: 'string' },
      minutes: { type: 'string' },
      dwell: { type: 'string' },
      'cpu-profile': { type: 'string' },
      processor: { type: 'string' },
      'series-per-host': { type: 'string' },
      'interval-s': { type: 'string' },
      processors: { type: 'string' },
      'series-sweep': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      'late-host-share': { type: 'string' },
      'kafka-only': { type: 'string' },
    },
  });
  const name = positionals[0];
  const scenario = name ? SCENARIOS[name] : undefined;
  if (!scenario) {
    process.stderr.write(
      `usage: npm run bench -- <scenario>; scenarios: ${Object.keys(SCENARIOS).join(', ')}\n`,
    );
    process.exit(2);
  }
  const result = await scenario(values);
  for (const line of Array.isArray(result) ? result : [result])
    process.stdout.write(`${JSON.stringify(line)}\n`);
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
