import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import {
  BODIES,
  HOSTILE_PATHS,
  picker,
  prng,
  QUERY_KEYS,
  QUERY_VALUES,
  randomBytes,
  ROUTES,
  WS_FRAMES,
} from '../helpers/hostile-input';
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
    const line = await Promise.race([
      waitForLine(cli, /^Dashboard: http:\/\/127\.0\.0\.1:\d+\//, 'the dashboard URL'),
      cli.exited.then((code) =>
        Promise.reject(new Error(`tidewatch start exited (${code}): ${cli.stderr()}`)),
      ),
    ]);
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
  it('survives seeded random and hostile requests and WebSocket frames: no 5xx, still healthy', async () => {
    const seed = Number(process.env.TIDEWATCH_FUZZ_SEED ?? 20261207);
    const random = prng(seed);
    const pick = picker(random);
    const chance = (p: number) => random() < p;
    const cookieToken = `tidewatch_token=${encodeURIComponent(token)}`;
    const hostileCookies = [
      'tidewatch_token=%E0%A4%A',
      'tidewatch_token=%',
      'tidewatch_token=%ff%fe',
      `tidewatch_token=${'%41'.repeat(2000)}`,
      Array.from({ length: 300 }, (_, i) => `c${i}=%E0%A4%A`).join('; '),
      `${'x'.repeat(7000)}=1`,
      '=;=;;tidewatch_token',
      `${cookieToken}; tidewatch_token=%E0%A4%A`,
    ];
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const N = 400;
    for (let i = 0; i < N; i++) {
      const method = pick(['GET', 'GET', 'GET', 'POST', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'FOO']);
      let target: string | Buffer = chance(0.3) ? pick(HOSTILE_PATHS) : pick(ROUTES);
      if (typeof target === 'string' && chance(0.5)) {
        const params = Array.from(
          { length: 1 + Math.floor(random() * 4) },
          () => `${pick(QUERY_KEYS)}=${pick(QUERY_VALUES)}`,
        );
        target += `${target.includes('?') ? '&' : '?'}${params.join('&')}`;
      }
      const headers: Record<string, string | Buffer> = { host: `127.0.0.1:${port}` };
      // Valid credentials from their own addresses (so their budget is never spent), hostile ones
      // from many others.
      let from = '127.0.5.1';
      const credential = random();
      if (credential < 0.4) headers.authorization = `Bearer ${token}`;
      else if (credential < 0.6) {
        headers.cookie = cookieToken;
        from = '127.0.5.2';
      } else {
        from = `127.0.6.${1 + Math.floor(random() * 250)}`;
        if (chance(0.5)) headers.cookie = pick(hostileCookies);
        if (chance(0.3))
          headers.authorization = pick([
            'Bearer',
            'Bearer ',
            'Basic Zm9vOmJhcg==',
            `Bearer ${'t'.repeat(6000)}`,
          ]);
      }
      if (chance(0.3))
        headers.origin = pick([
          'null',
          'http://evil.example',
          `http://127.0.0.1:${port}`,
          '%%%',
          'x'.repeat(3000),
        ]);
      if (chance(0.3))
        headers['content-type'] = pick([
          'application/json',
          'text/plain',
          'application/json; charset=%%',
          ';;',
          'multipart/form-data',
        ]);
      if (chance(0.1))
        headers['x-random'] = randomBytes(random, 64)
          .toString('latin1')
          .replace(/[\r\n]/g, '');
      if (target === '/ws' && chance(0.7)) {
        headers.connection = 'Upgrade';
        headers.upgrade = pick(['websocket', 'h2c', '']);
        headers['sec-websocket-version'] = pick(['13', '8', 'x']);
        headers['sec-websocket-key'] = pick(['dGhlIHNhbXBsZSBub25jZQ==', '', 'not-base64']);
      }
      const body = method === 'POST' || chance(0.05) ? pick(BODIES) : '';
      const answer = await rawHttp(port, rawRequest(method, target, headers, body), from);
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
      const what = `seed ${seed} #${i}: ${method} ${String(target).slice(0, 80)} → ${answer.status} ${answer.body.slice(0, 200)}`;
      if (answer.status >= 500 && !(answer.status === 503 && String(target).startsWith('/ready')))
        failures.push(what);
      if (answer.status === 101) failures.push(`${what} (upgrade accepted without a clean request)`);
    }

    // WebSocket frames: garbage of every kind over a few authenticated connections.
    const closeCodes: number[] = [];
    let errorsAnswered = 0;
    let sent = 0;
    while (sent < 60) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
        headers: { authorization: `Bearer ${token}` },
        localAddress: '127.0.5.3',
      });
      ws.on('message', (data) => {
        if (String(data).startsWith('{"type":"error"')) errorsAnswered++;
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.on('error', () => undefined);
      for (let k = 0; k < 15 && ws.readyState === ws.OPEN; k++, sent++) {
        const r = random();
        if (r < 0.6) ws.send(pick(WS_FRAMES));
        else if (r < 0.8) ws.send(randomBytes(random, 1 + Math.floor(random() * 512)));
        else if (r < 0.9) ws.send(randomBytes(random, 64).toString('latin1'));
        else ws.send('x'.repeat(70 * 1024)); // over maxPayload: ws closes with 1009
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      ws.close();
      closeCodes.push(await closed);
    }

    expect(failures).toEqual([]);
    expect(closeCodes).not.toContain(1011);
    expect(errorsAnswered).toBeGreaterThan(0);
    // Sanity: the run reached the handlers, not only the guards.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    await expectAlive();
  });
});
