import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli-process';

/**
 * A config mistake at start-up is reported by the setting's name, never by printing the merged
 * configuration: the token and passwords from the environment or the file stay out of stdout and
 * stderr, which log collectors keep.
 */
describe('configuration errors at start-up', () => {
  const SECRETS = {
    TIDEWATCH_TOKEN: 'env-token-5f1c9a7e3b2d4c6a8e0f',
    CLICKHOUSE_PASSWORD: 'env-password-c0ffee-8d7e',
  };
  let dir: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-sec-config-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const start = (config: unknown, env: Record<string, string> = {}) => {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
    return runCli(['start', '--config', file], {
      ...SECRETS,
      TIDEWATCH_DATA_DIR: path.join(dir, 'data'),
      KAFKA_BROKERS: '',
      SCHEMA_REGISTRY_URL: '',
      ...env,
    });
  };
  const expectNoSecret = (out: { stdout: string; stderr: string }, extra: string[] = []) => {
    for (const secret of [...Object.values(SECRETS), ...extra]) {
      expect(out.stdout).not.toContain(secret);
      expect(out.stderr).not.toContain(secret);
    }
  };

  it('names a misspelled top-level key and its closest match, and prints no secret', () => {
    const run = start({ gatway: { port: 8080 }, clickhouse: { database: 'tw' } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/TW_ERR_CONFIG/);
    expect(run.stderr).toMatch(/unknown key "gatway" \(did you mean "gateway"\?\)/);
    expectNoSecret(run);
    expect(run.stderr.length).toBeLessThan(2000);
  });

  it('names a misspelled secret key without echoing what it holds', () => {
    const run = start({ clickhouse: { pasword: 'file-password-77aa' } });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/clickhouse: unknown key "pasword" \(did you mean "password"\?\)/);
    expectNoSecret(run, ['file-password-77aa']);
  });

  it('never echoes an invalid secret or a URL that carries credentials', () => {
    const run = start(
      {},
      { TIDEWATCH_TOKEN: 'short-secret', CLICKHOUSE_URL: 'http://reader:url-secret-99@/no-host' },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/gateway\.token \(env TIDEWATCH_TOKEN\)/);
    expect(run.stderr).toMatch(/clickhouse\.url \(env CLICKHOUSE_URL\)/);
    expectNoSecret(run, ['short-secret', 'url-secret-99']);
  });

  it('does not quote a config file that is not JSON', () => {
    // A value left unquoted: V8's message would quote the text around it.
    const run = start('{"clickhouse": {"password": pw-hunter2}}');
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/is not a JSON object/);
    expectNoSecret(run, ['pw-hunter2']);
  });
});
