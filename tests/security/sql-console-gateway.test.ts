import fs from 'node:fs';
import path from 'node:path';
import { readRuntime } from '../../cli/runtime-file';
import { spawnCli, type RunningCli } from '../helpers/cli-process';
import { testEnv } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

/**
 * `/api/sql` of a running `tidewatch start`: a bypass is refused with 400 and its reason, a query
 * beyond the console's queue gets 429 with Retry-After, and while a long console query runs the
 * gateway's own ClickHouse queries (`/api/hosts`) still answer.
 */
describe('SQL console through the gateway of a running instance', () => {
  let env: Record<string, string>;
  let cli: RunningCli;
  let url: string;
  let token: string;

  beforeAll(async () => {
    env = testEnv('sec-sql-gw');
    const configFile = path.join(env.TIDEWATCH_DATA_DIR!, 'config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({ clickhouse: { console: { maxRunning: 1, maxWaiting: 0 } } }),
    );
    cli = spawnCli(['start', '--config', configFile], env);
    const runtime = await waitFor(
      'the instance to be up',
      () => readRuntime(env.TIDEWATCH_DATA_DIR!),
      180_000,
    );
    url = runtime.url;
    token = fs.readFileSync(path.join(env.TIDEWATCH_DATA_DIR!, 'token'), 'utf8').trim();
  });

  afterAll(async () => {
    if (cli && cli.child.exitCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
    if (env) fs.rmSync(env.TIDEWATCH_DATA_DIR!, { recursive: true, force: true });
  });

  const headers = () => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const sql = (query: string) =>
    fetch(`${url}/api/sql`, { method: 'POST', headers: headers(), body: JSON.stringify({ query }) });
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string } }).error;

  it('refuses a file read spelt with an escape, with its reason', async () => {
    const res = await sql("SELECT `fil\\x65`('/etc/passwd')");
    expect(res.status).toBe(400);
    expect(await errorOf(res)).toEqual({
      code: 'TW_ERR_SQL_NOT_READONLY',
      message: expect.stringMatching(/file\(\)/),
    });
  });

  it('answers 429 with Retry-After past the queue, and /api/hosts while the long query runs', async () => {
    let longDone = false;
    const long = sql(Array.from({ length: 4 }, () => 'SELECT sleep(3) AS s').join(' UNION ALL ')).then(
      (res) => {
        longDone = true;
        return res;
      },
    );
    const busy = await waitFor('the console to be busy', async () => {
      const res = await sql('SELECT 1');
      return res.status === 429 ? res : undefined;
    });
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(busy)).code).toBe('TW_ERR_SQL_CONSOLE_BUSY');
    const hosts = await fetch(`${url}/api/hosts`, { headers: headers() });
    expect(hosts.status).toBe(200);
    expect(longDone).toBe(false);
    expect((await long).status).toBe(200);
    expect((await sql('SELECT 1 AS one')).status).toBe(200);
  });
});
