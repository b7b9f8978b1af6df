import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../core/config';
import { createKafka, ensureTopics, topicNames } from '../core/kafka';
import { silentLogger } from '../core/logger';
import { projectRoot } from '../core/paths';
import { freePort } from '../stack';
import { benchStack } from './bench-stack';
import { nodeExporterBinary } from './node-exporter';
import { cpuSeconds, memoryMb, rssMb, threadCpuSeconds } from './process-usage';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The agent as it is installed: the bundle `npm run package:agent` builds, started by its
 * launcher (with its heap flags); or `tidewatch agent` from the compiled CLI.
 */
function agentCommand(kind: 'bundle' | 'cli'): [string, string[]] {
  const root = projectRoot();
  if (kind === 'cli') return [process.execPath, [path.join(root, 'bin', 'tidewatch.js'), 'agent']];
  execFileSync(process.execPath, [path.join(root, 'packaging', 'agent', 'build.mjs')], { stdio: 'pipe' });
  return [path.join(root, 'dist', 'agent', 'tidewatch-agent'), []];
}

/**
 * `npm run bench -- agent [--agent cli]`: the agent's CPU and memory while it collects and
 * publishes to a real broker, side by side with prometheus-node-exporter scraped at the same
 * interval, both measured from /proc over the same window (after a warm-up), at 5 s and at 1 s.
 * One JSON line per interval. The agent is the bundle (dist/agent) unless `--agent cli`.
 */
export async function agentBench(o: {
  seconds: number;
  intervals: number[];
  agent?: 'bundle' | 'cli';
}): Promise<Record<string, unknown>[]> {
  const kind = o.agent ?? 'bundle';
  const [command, args] = agentCommand(kind);
  const config = loadConfig({ env: process.env });
  const exporterBinary = nodeExporterBinary(config.cacheDir);
  const { endpoints, stop } = await benchStack();
  const results: Record<string, unknown>[] = [];
  try {
    for (const intervalS of o.intervals) {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-bench-agent-'));
      const prefix = `bench-agent-${intervalS}-${process.pid}.`;
      const admin = createKafka(endpoints.brokers, 'bench-agent', silentLogger).admin();
      await admin.connect();
      await ensureTopics(admin, Object.values(topicNames(prefix)), 1);
      await admin.disconnect();
      const agent = spawn(command, args, {
        env: {
          ...process.env,
          NODE: process.execPath,
          KAFKA_BROKERS: endpoints.brokers.join(','),
          SCHEMA_REGISTRY_URL: endpoints.registryUrl,
          TIDEWATCH_TOPIC_PREFIX: prefix,
          TIDEWATCH_DATA_DIR: dataDir,
          TIDEWATCH_AGENT_INTERVAL_MS: String(intervalS * 1000),
          TIDEWATCH_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const port = await freePort();
      const exporter = spawn(exporterBinary, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
      try {
        await waitForStdout(agent, /^Agent: /);
        const scrape = () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
        let scrapes = 0;
        const scraper = setInterval(
          () =>
            void scrape().then(
              () => scrapes++,
              () => undefined,
            ),
          intervalS * 1000,
        );
        await sleep(Math.max(10, 3 * intervalS) * 1000); // warm-up: JIT, first collections, connections
        const before = {
          agent: cpuSeconds(agent.pid!),
          threads: threadCpuSeconds(agent.pid!),
          exporter: cpuSeconds(exporter.pid!),
          at: performance.now(),
        };
        await sleep(o.seconds * 1000);
        const wall = (performance.now() - before.at) / 1000;
        const agentPct = ((cpuSeconds(agent.pid!) - before.agent) / wall) * 100;
        const exporterPct = ((cpuSeconds(exporter.pid!) - before.exporter) / wall) * 100;
        const after = threadCpuSeconds(agent.pid!);
        const threads = {
          main: round(((after.main - before.threads.main) / wall) * 100, 3),
          helpers: round(((after.helpers - before.threads.helpers) / wall) * 100, 3),
        };
        clearInterval(scraper);
        const memory = memoryMb(agent.pid!);
        const bare = await bareNodeMemory(command, kind);
        results.push({
          scenario: 'agent',
          agent: kind,
          interval_s: intervalS,
          seconds: Math.round(wall),
          agent_cpu_pct_of_core: round(agentPct, 3),
          node_exporter_cpu_pct_of_core: round(exporterPct, 3),
          ratio: round(agentPct / exporterPct, 2),
          agent_rss_mb: memory.rss,
          // Its own memory, without the node binary and libraries mapped from files (shared).
          agent_rss_anon_mb: memory.anon,
          agent_rss_file_mb: memory.file,
          agent_pss_mb: memory.pss,
          // node itself, idle, with the same flags and environment: the floor the agent sits on.
          bare_node: bare,
          agent_cpu_pct_by_thread: threads,
          node_exporter_rss_mb: rssMb(exporter.pid!),
          node_exporter_scrapes: scrapes,
        });
      } finally {
        agent.kill('SIGINT');
        exporter.kill('SIGTERM');
        await Promise.all([exited(agent), exited(exporter)]);
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await stop();
  }
  return results;
}

/**
 * RSS, RssAnon, RssFile and PSS of an idle node started as the agent is (the launcher's flags and
 * environment for the bundle), measured after a few seconds.
 */
async function bareNodeMemory(command: string, kind: 'bundle' | 'cli'): Promise<ReturnType<typeof memoryMb>> {
  const launcher = kind === 'bundle' ? fs.readFileSync(command, 'utf8').replace(/\\\n/g, ' ') : '';
  const flags = /exec "\$\{NODE:-node\}"\s+(.*?)\s+"\$here/.exec(launcher)?.[1]?.split(/\s+/) ?? [];
  const env = kind === 'bundle' ? { MALLOC_ARENA_MAX: '1', UV_THREADPOOL_SIZE: '2' } : {};
  const bare = spawn(process.execPath, [...flags, '-e', 'setInterval(() => undefined, 1e9)'], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  try {
    await sleep(3000);
    return memoryMb(bare.pid!);
  } finally {
    bare.kill('SIGTERM');
    await exited(bare);
  }
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

function waitForStdout(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (pattern.test(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the agent exited (${code}) before it started`)));
  });
}
