import fs from 'node:fs';
import path from 'node:path';
import { spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import { testEnv } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const mode = (file: string) => (fs.statSync(file).mode & 0o777).toString(8);

/**
 * A real `tidewatch start` whose stdout is a pipe (as under journald, Docker or Kubernetes, which
 * keep it) and whose umask is 022, in a data directory an older version left readable by all:
 * the token is not printed, and the data directory and Tidewatch's files in it end up private.
 */
describe('tidewatch start keeps its secrets and its files to its user', () => {
  const HOST = 'sec-private-agent';
  const OLD_TOKEN = 'old-version-token-0123456789abcdef';
  let env: Record<string, string>;
  let dataDir: string;
  let cli: RunningCli;
  let notice: string;

  beforeAll(async () => {
    env = testEnv('sec-private', { TIDEWATCH_AGENT_HOST: HOST, TIDEWATCH_AGENT_INTERVAL_MS: '1000' });
    dataDir = env.TIDEWATCH_DATA_DIR!;
    // What an older version left: everything readable by every local user.
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'token'), `${OLD_TOKEN}\n`, { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'token'), 0o644);
    fs.writeFileSync(path.join(dataDir, 'runtime.json'), '{"pid": 1, "url": "x", "startedAt": "x"}');
    fs.chmodSync(path.join(dataDir, 'runtime.json'), 0o644);
    const umask = process.umask(0o022);
    try {
      cli = spawnCli(['start'], env);
    } finally {
      process.umask(umask);
    }
    await waitForLine(cli, /^Dashboard: /, 'the dashboard notice');
    // The notice is complete once it has said something about the token.
    notice = await waitFor('the notice to mention the token', () =>
      cli.stdout.some((l) => /token/.test(l)) ? cli.stdout.join('\n') : undefined,
    );
  });

  afterAll(async () => {
    cli.child.kill('SIGINT');
    await cli.exited;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the dashboard URL without the token when stdout is not a terminal, and says where it is', () => {
    const token = fs.readFileSync(path.join(dataDir, 'token'), 'utf8').trim();
    expect(token).toBe(OLD_TOKEN);
    expect(notice).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
    expect(notice).toContain(path.join(dataDir, 'token'));
    expect(notice).not.toContain(token);
    expect(notice).not.toMatch(/token=[^<]/);
    expect(cli.stderr()).not.toContain(token);
  });

  it('makes the data directory 0700 and its files 0600, under umask 022 and over an older version', async () => {
    const spool = path.join(dataDir, 'spool', HOST);
    const segments = await waitFor('a spool segment', () => {
      const found = fs.existsSync(spool) ? fs.readdirSync(spool).filter((f) => f.endsWith('.seg')) : [];
      return found.length ? found : undefined;
    });
    expect({
      dataDir: mode(dataDir),
      token: mode(path.join(dataDir, 'token')),
      runtime: mode(path.join(dataDir, 'runtime.json')),
      spoolDir: mode(spool),
      segments: segments.map((s) => mode(path.join(spool, s))),
      inserts: mode(path.join(dataDir, 'clickhouse-inserts')),
    }).toEqual({
      dataDir: '700',
      token: '600',
      runtime: '600',
      spoolDir: '700',
      segments: segments.map(() => '600'),
      inserts: '700',
    });
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'runtime.json'), 'utf8')).pid).toBe(cli.child.pid);
  });
});
