import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { silentLogger } from '../../core/logger';
import { ensureTopics, topicNames } from '../../core/kafka';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import type { MetricSample } from '../../schemas';
import { testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const ROOT = path.resolve(__dirname, '..', '..');
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;

/** Sizes of every file under `dir`, in bytes. */
const sizeOf = (dir: string): number =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .reduce(
      (n, e) =>
        n + (e.isDirectory() ? sizeOf(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).size),
      0,
    );

/**
 * The standalone agent as a fleet installs it: `npm run package:agent` builds dist/agent/, which
 * is copied where no node_modules can be found and run with plain node.
 */
describe('the packaged agent (dist/agent)', () => {
  let dir: string;
  let agent: ChildProcess | undefined;

  beforeAll(() => {
    execFileSync('npm', ['run', '--silent', 'package:agent'], { cwd: ROOT, stdio: 'pipe' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-agent-package-'));
    fs.cpSync(path.join(ROOT, 'dist', 'agent'), dir, { recursive: true });
  }, 120_000);

  afterAll(() => {
    if (agent && agent.exitCode === null) agent.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.join(dir, 'tidewatch-agent.cjs'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', TIDEWATCH_DATA_DIR: path.join(dir, 'state'), ...env },
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('is small and has no node_modules to lean on', () => {
    expect(sizeOf(dir)).toBeLessThanOrEqual(15 * 1024 * 1024);
    // Nothing above the copy resolves a dependency: the bundle must carry its own.
    expect(() => require.resolve('kafkajs', { paths: [dir] })).toThrow();
    for (const file of [
      'tidewatch-agent.cjs',
      'tidewatch-agent',
      'tidewatch-agent.service',
      'daemonset.yaml',
    ])
      expect(fs.existsSync(path.join(dir, file))).toBe(true);
  });

  it('prints its version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`tidewatch-agent ${VERSION}`);
  });

  it('prints one collection with the host labels (--once)', () => {
    const r = run(['--once'], {
      TIDEWATCH_AGENT_HOST: 'packaged-once',
      TIDEWATCH_AGENT_LABELS: 'env=test,role=db',
    });
    expect(r.status).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { host: string; metric?: string; labels?: Record<string, string> });
    const cpu = records.find((s) => s.metric === 'system.cpu.utilization');
    expect(cpu).toMatchObject({ host: 'packaged-once', labels: { env: 'test', role: 'db' } });
  });

  it('refuses labels past their bounds at start, naming the setting', () => {
    const many = Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(',');
    const r = run(['--once'], { TIDEWATCH_AGENT_LABELS: many });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('agent.labels');
    expect(r.stderr).toContain('TIDEWATCH_AGENT_LABELS');
  });

  it('sends samples with its labels to the broker, read back from the topic', async () => {
    const { brokers, registryUrl } = testEndpoints();
    const prefix = `${uniqueName('agent-package')}.`;
    const topics = topicNames(prefix);
    const host = uniqueName('packaged-host');
    const kafka = new Kafka({ clientId: 'agent-package-test', brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topics.metrics, topics.processes], 1);
    await admin.disconnect();

    let stderr = '';
    agent = spawn(process.execPath, [path.join(dir, 'tidewatch-agent.cjs')], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? '',
        KAFKA_BROKERS: brokers.join(','),
        SCHEMA_REGISTRY_URL: registryUrl,
        TIDEWATCH_TOPIC_PREFIX: prefix,
        TIDEWATCH_DATA_DIR: path.join(dir, 'state'),
        TIDEWATCH_AGENT_HOST: host,
        TIDEWATCH_AGENT_INTERVAL_MS: '1000',
        TIDEWATCH_AGENT_LABELS: 'env=test,region=eu-1',
        TIDEWATCH_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    agent.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));

    const consumer = kafka.consumer({ groupId: uniqueName('agent-package-reader') });
    const serde = createAvroSerde(confluentRegistry(registryUrl));
    const samples: MetricSample[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topics.metrics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        await serde.prepare([message.value]);
        samples.push(serde.decode<MetricSample>(message.value));
      },
    });
    try {
      const cpu = await waitFor(
        `a CPU sample from the packaged agent (its stderr: ${stderr})`,
        () => samples.find((s) => s.host === host && s.metric === 'system.cpu.utilization'),
        60_000,
      );
      expect(cpu.labels).toEqual({ env: 'test', region: 'eu-1' });
      expect(cpu.event_id.startsWith(`${host}:`)).toBe(true);
    } finally {
      await consumer.disconnect();
    }
    const exited = new Promise<number | null>((resolve) => agent!.once('exit', (code) => resolve(code)));
    agent.kill('SIGTERM');
    expect(await exited).toBe(0);
    silentLogger.debug({ stderr }, 'agent stderr');
  }, 120_000);
});
