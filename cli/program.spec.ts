import { TidewatchError } from '../core/errors';
import { runCli, type Invocation } from './program';

async function cli(argv: string[], fail?: Error) {
  let stdout = '';
  let stderr = '';
  const calls: Invocation[] = [];
  const code = await runCli(
    argv,
    '9.8.7',
    async (i) => {
      calls.push(i);
      if (fail) throw fail;
    },
    { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) },
  );
  return { code, stdout, stderr, calls };
}

describe('command line', () => {
  it('prints the help of the command asked about, with that command’s flags only', async () => {
    const sql = await cli(['sql', '--help']);
    expect(sql.code).toBe(0);
    expect(sql.calls).toEqual([]);
    expect(sql.stdout).toMatch(/Usage: tidewatch sql \[options\] <query>/);
    expect(sql.stdout).toContain('--format <format>');
    expect(sql.stdout.replace(/\s+/g, ' ')).toContain('"TSV", "CSV", "JSONEachRow", "Vertical"');
    expect(sql.stdout).toContain('--param <name=value>');
    expect(sql.stdout).not.toContain('--once');
    const agent = await cli(['help', 'agent']);
    expect(agent.stdout).toContain('--once');
    expect(agent.stdout).toContain('--config <file>');
    expect(agent.stdout).not.toContain('--format');
    expect((await cli(['config', 'check', '-h'])).stdout).toMatch(/secrets masked/);
    expect((await cli(['--help'])).stdout).toMatch(/start[\s\S]*agent[\s\S]*sql[\s\S]*config/);
  });

  it('prints the version', async () => {
    expect(await cli(['--version'])).toMatchObject({ code: 0, stdout: '9.8.7\n', calls: [] });
  });

  it.each([
    [['agent', '--format', 'json'], /unknown option '--format'/],
    [['start', '--once'], /unknown option '--once'/],
    [['start', 'now'], /too many arguments/],
    [
      ['stack', 'sideways'],
      /'sideways' is invalid for argument 'action'. Allowed choices are up, down, status/,
    ],
    [['sql'], /missing required argument 'query'/],
    [['sql', 'SELECT 1', '--format', 'XML'], /option '--format <format>' argument 'XML' is invalid/],
    [['loadgen', '--hosts', '-3'], /--hosts must be a non-negative number/],
    [['loadgen', '--rate', 'fast'], /--rate must be a non-negative number/],
    [['detect', '--output', 'o.csv'], /required option '--input <file.csv>' not specified/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [[], /Usage: tidewatch/],
  ])('refuses %j as a usage error: exit 2 with the reason, nothing run', async (argv, reason) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(reason);
    expect(r.calls).toEqual([]);
  });

  it('hands each command its own arguments and flags, typed', async () => {
    const sql = await cli([
      'sql',
      'SELECT 1',
      '--format',
      'CSV',
      '--param',
      'a=1',
      '--param',
      'b=2',
      '--config',
      'f.json',
    ]);
    expect(sql.calls).toEqual([
      {
        command: ['sql'],
        args: ['SELECT 1'],
        options: { format: 'CSV', param: ['a=1', 'b=2'], config: 'f.json' },
      },
    ]);
    const load = await cli(['loadgen', '--hosts', '5', '--data-dir', '/tmp/x']);
    expect(load.calls[0]!.options).toEqual({ hosts: 5, rate: 1000, total: Infinity, dataDir: '/tmp/x' });
    expect((await cli(['config', 'check'])).calls[0]!.command).toEqual(['config', 'check']);
    expect((await cli(['tail', 't', '--from-beginning'])).calls[0]).toMatchObject({
      args: ['t'],
      options: { fromBeginning: true },
    });
    expect((await cli(['agent', '--once'])).calls[0]!.options).toEqual({ once: true });
  });

  it('exits 1 for a failure at run time, 2 when the failure is the request itself', async () => {
    const down = await cli(
      ['start'],
      new TidewatchError('TW_ERR_STACK_START', 'no broker at localhost:9092'),
    );
    expect(down).toMatchObject({
      code: 1,
      stderr: 'tidewatch: TW_ERR_STACK_START: no broker at localhost:9092\n',
    });
    expect((await cli(['agent'], new Error('EACCES: /proc'))).code).toBe(1);
    const refused = await cli(
      ['sql', 'DROP TABLE x'],
      new TidewatchError('TW_ERR_SQL_NOT_READONLY', 'only SELECT'),
    );
    expect(refused).toMatchObject({ code: 2, stderr: 'tidewatch: TW_ERR_SQL_NOT_READONLY: only SELECT\n' });
    expect((await cli(['start'], new TidewatchError('TW_ERR_CONFIG', 'kafka.brokers: …'))).code).toBe(2);
  });
});
