import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import { waitFor } from '../helpers/wait-for';

interface State {
  kafka: { pid: number; watchdog?: number };
  registry: { pid: number; watchdog?: number };
}

/** Alive and not a zombie (a killed orphan may wait to be reaped). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    return false;
  }
}

/**
 * `tidewatch start` with its own local stack (Kafka and the registry as detached JVMs). Its node
 * process is killed with SIGKILL along with everything that would stop the JVMs on its behalf
 * (the worst case: they are orphans); a second start must not adopt them silently and leave them
 * running: after its Ctrl-C no JVM of either start is left. Slow (two stack start-ups).
 */
describe('a crashed instance never leaves its stack running', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-sec-orphans-'));
  const name = `sec-orphans-${crypto.randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    KAFKA_BROKERS: '',
    SCHEMA_REGISTRY_URL: '',
    TIDEWATCH_DATA_DIR: dataDir,
    TIDEWATCH_KAFKA_PORT: '0',
    TIDEWATCH_CONTROLLER_PORT: '0',
    TIDEWATCH_REGISTRY_PORT: '0',
    TIDEWATCH_GATEWAY_PORT: '0',
    TIDEWATCH_TOPIC_PREFIX: `${name}.`,
    TIDEWATCH_PROCESSOR_GROUP: `${name}-processor`,
    TIDEWATCH_PARTITIONS: '1',
    TIDEWATCH_LOG_LEVEL: 'warn',
  };
  const readState = () =>
    JSON.parse(fs.readFileSync(path.join(dataDir, 'stack', 'state.json'), 'utf8')) as State;
  const jvms = (s: State) => [s.kafka.pid, s.registry.pid];
  const seen: number[] = [];
  const clis: RunningCli[] = [];
  const start = async (what: string) => {
    const umask = process.umask(0o022); // as on most hosts: new files readable by all unless we say not
    let cli: RunningCli;
    try {
      cli = spawnCli(['start'], env);
    } finally {
      process.umask(umask);
    }
    clis.push(cli);
    await waitForLine(cli, /^Dashboard: /, what, 240_000);
    const state = readState();
    seen.push(...jvms(state));
    return { cli, state };
  };

  afterAll(() => {
    for (const cli of clis) cli.child.kill('SIGKILL');
    for (const pid of seen) if (running(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops the orphans of a killed start on the next start, and everything on its Ctrl-C', async () => {
    const first = await start('the first instance');
    expect(jvms(first.state).map(running)).toEqual([true, true]);
    // The stack's state and logs are private too, under umask 022.
    const mode = (f: string) => (fs.statSync(path.join(dataDir, f)).mode & 0o777).toString(8);
    expect(['stack', 'stack/state.json', 'stack/kafka.log', 'stack/registry.log'].map(mode)).toEqual([
      '700',
      '600',
      '600',
      '600',
    ]);
    for (const watchdog of [first.state.kafka.watchdog, first.state.registry.watchdog])
      if (watchdog && running(watchdog)) process.kill(watchdog, 'SIGKILL');
    first.cli.child.kill('SIGKILL');
    await first.cli.exited;
    expect(jvms(first.state).map(running)).toEqual([true, true]); // orphans now

    const second = await start('the second instance');
    expect(jvms(first.state).map(running)).toEqual([false, false]);
    expect(jvms(second.state).map(running)).toEqual([true, true]);

    second.cli.child.kill('SIGINT');
    expect(await second.cli.exited).toBe(0);
    expect(seen.filter(running)).toEqual([]);
    const { watchdog: k } = second.state.kafka;
    const { watchdog: r } = second.state.registry;
    await waitFor('its watchdogs to be gone', () => ![k, r].some((p) => p && running(p)) || undefined);
  }, 600_000);
});
