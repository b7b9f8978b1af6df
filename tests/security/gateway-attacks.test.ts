import fs from 'node:fs';
import path from 'node:path';
import { spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import { rawHttp, rawRequest, type RawAnswer } from '../helpers/raw-http';
import { testEnv } from '../helpers/test-stack';

/**
 * The attacks of the gateway report, each against a real `tidewatch start` (gateway, processor,
 * agent and embedded ClickHouse in one process): each is refused with a reason, and the whole
 * instance still answers afterwards. Clients come from distinct loopback addresses (127.x.y.z
 * are all this host) so each case has its own failed-authentication budget.
 */
describe('gateway attacks against a running instance', () => {
  const FAILURES_PER_MINUTE = 5;
  let env: Record<string, string>;
  let cli: RunningCli;
  let port: number;
  let token: string;
  let origin: string;

  beforeAll(async () => {
    env = testEnv('sec-gw');
    const configFile = path.join(env.TIDEWATCH_DATA_DIR!, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify({ gateway: { authFailuresPerMinute: FAILURES_PER_MINUTE } }));
    cli = spawnCli(['start', '--config', configFile], env);
    const line = await waitForLine(cli, /^Dashboard: http:\/\/127\.0\.0\.1:\d+\//, 'the dashboard URL');
    const url = new URL(line.slice('Dashboard: '.length).split(/\s/)[0]!);
    port = Number(url.port);
    token = fs.readFileSync(path.join(env.TIDEWATCH_DATA_DIR!, 'token'), 'utf8').trim();
    origin = url.origin;
  });

  afterAll(async () => {
    if (cli && cli.child.exitCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
    if (env) fs.rmSync(env.TIDEWATCH_DATA_DIR!, { recursive: true, force: true });
  });

  const send = (
    from: string,
    method: string,
    target: string,
    headers: Record<string, string> = {},
    body = '',
  ) => rawHttp(port, rawRequest(method, target, { host: `127.0.0.1:${port}`, ...headers }, body), from);
  const upgrade = (from: string, headers: Record<string, string>) =>
    send(from, 'GET', '/ws', {
      connection: 'Upgrade',
      upgrade: 'websocket',
      'sec-websocket-version': '13',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      ...headers,
    });
  const code = (answer: RawAnswer) => (JSON.parse(answer.body) as { error: { code: string } }).error.code;

  /** The process is alive and its gateway answers. */
  const expectAlive = async () => {
    expect(cli.child.exitCode).toBeNull();
    expect((await send('127.0.0.1', 'GET', '/health')).status).toBe(200);
    const hosts = await send('127.0.0.1', 'GET', '/api/hosts', { authorization: `Bearer ${token}` });
    expect(hosts.status).toBe(200);
  };

  it('answers a cookie with invalid percent-encoding with 401, on every route and the WebSocket', async () => {
    const cookie = { cookie: 'tidewatch_token=%E0%A4%A' };
    for (const target of ['/api/hosts', '/metrics', '/', '/app.js']) {
      const answer = await send('127.0.1.1', 'GET', target, cookie);
      expect([target, answer.status]).toEqual([target, 401]);
      expect(code(answer)).toBe('TW_ERR_AUTH');
    }
    const ws = await upgrade('127.0.1.2', cookie);
    expect(ws.status).toBe(401);
    expect(code(ws)).toBe('TW_ERR_AUTH');
    await expectAlive();
  });

  it('refuses a cookie-authenticated SQL POST from another origin (another port of this host) with 403', async () => {
    const cookie = `tidewatch_token=${encodeURIComponent(token)}`;
    const query = JSON.stringify({ query: 'SELECT 1 AS one' });
    const from = (o: string | undefined, type: string) =>
      send(
        '127.0.2.1',
        'POST',
        '/api/sql',
        { cookie, 'content-type': type, ...(o ? { origin: o } : {}) },
        query,
      );
    const otherPort = `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`;
    const crossSite = await from(otherPort, 'text/plain');
    expect(crossSite.status).toBe(403);
    expect(code(crossSite)).toBe('TW_ERR_CROSS_ORIGIN');
    expect(crossSite.body).toContain(otherPort);
    expect((await from(otherPort, 'application/json')).status).toBe(403);
    expect((await from('null', 'application/json')).status).toBe(403);
    expect((await from(undefined, 'application/json')).status).toBe(403);
    const notJson = await from(origin, 'text/plain');
    expect(notJson.status).toBe(415);
    expect(code(notJson)).toBe('TW_ERR_CROSS_ORIGIN');
    // The dashboard's own request, and a script with the bearer header (no Origin), still work.
    expect((await from(origin, 'application/json')).status).toBe(200);
    const script = await send('127.0.2.1', 'POST', '/api/sql', { authorization: `Bearer ${token}` }, query);
    expect(script.status).toBe(200);
    await expectAlive();
  });

  it('rate-limits wrong tokens on every route, 429 with Retry-After, per address', async () => {
    const wrong = { authorization: `Bearer ${token}x` };
    const routes: [string, (from: string, h: Record<string, string>) => Promise<RawAnswer>][] = [
      ['/metrics', (from, h) => send(from, 'GET', '/metrics', h)],
      ['/', (from, h) => send(from, 'GET', '/', h)],
      ['/app.js', (from, h) => send(from, 'GET', '/app.js', h)],
      ['/api/hosts', (from, h) => send(from, 'GET', '/api/hosts', h)],
      ['/ws', (from, h) => upgrade(from, h)],
    ];
    for (const [i, [name, call]] of routes.entries()) {
      const from = `127.0.3.${i + 1}`;
      for (let n = 0; n < FAILURES_PER_MINUTE; n++)
        expect([name, (await call(from, wrong)).status]).toEqual([name, 401]);
      const limited = await call(from, wrong);
      expect([name, limited.status]).toEqual([name, 429]);
      expect(limited.head).toMatch(/\r\nretry-after: \d+/i);
      expect(code(limited)).toBe('TW_ERR_RATE_LIMITED');
      // While refused, even the right token is not looked at (no brute-force oracle)…
      expect((await call(from, { authorization: `Bearer ${token}` })).status).toBe(429);
    }
    // …and another address is not affected.
    expect((await send('127.0.3.99', 'GET', '/metrics', { authorization: `Bearer ${token}` })).status).toBe(
      200,
    );
    await expectAlive();
  });

  it('answers a request Node cannot parse with a JSON 400, and a huge header with 431', async () => {
    const bad = await rawHttp(port, 'GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
    expect(bad.status).toBe(400);
    expect(code(bad)).toBe('TW_ERR_BAD_REQUEST');
    const huge = await send('127.0.4.1', 'GET', '/', { 'x-big': 'a'.repeat(20_000) });
    expect(huge.status).toBe(431);
    await expectAlive();
  });
});
