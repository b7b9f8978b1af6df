import os from 'node:os';
import { runCli } from '../helpers/cli-process';

describe('tidewatch agent --once', () => {
  it('prints one collection of this host as JSON lines, with no Kafka or stack running', () => {
    const run = runCli(['agent', '--once'], {
      TIDEWATCH_AGENT_HOST: 'once-host',
      TIDEWATCH_DATA_DIR: os.tmpdir(),
    });
    expect(run.status).toBe(0);
    const records = run.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            host: string;
            metric?: string;
            kind?: string;
            value?: number;
            attributes?: Record<string, string>;
          },
      );
    expect(records.every((r) => r.host === 'once-host')).toBe(true);
    const metrics = new Set(records.map((r) => r.metric).filter(Boolean));
    for (const metric of [
      'system.cpu.utilization',
      'system.cpu.load_average.1m',
      'system.memory.utilization',
      'system.filesystem.utilization',
      'system.network.io',
      'system.network.connection.count',
      'system.process.count',
      'system.uptime',
      'tidewatch.host.info',
    ])
      expect(metrics).toContain(metric);
    const total = records.find(
      (r) => r.metric === 'system.cpu.utilization' && Object.keys(r.attributes!).length === 0,
    )!;
    expect(total.value).toBeGreaterThanOrEqual(0);
    expect(total.value).toBeLessThanOrEqual(1);
    expect(records.some((r) => r.kind === 'snapshot')).toBe(true);
  });
});
