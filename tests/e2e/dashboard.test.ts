import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../../bench/chromium';
import { runCli, spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import { testEnv } from '../helpers/test-stack';
import { pollUntil, waitFor } from '../helpers/wait-for';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

/** A port free right now, so a restarted instance can listen where the page expects it. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('tidewatch start, seen from a browser and from the CLI', () => {
  const AGENT = 'e2e-agent';
  let env: Record<string, string>;
  let cli: RunningCli;
  let loadgen: RunningCli;
  let browser: Browser;
  let dashboardUrl: string;
  let baseUrl: string;

  const start = async () => {
    cli = spawnCli(['start'], env);
    // Off a terminal the URL comes without its token, which is read from the token file.
    const line = await waitForLine(cli, /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/$/, 'the dashboard URL');
    const token = fs.readFileSync(path.join(env.TIDEWATCH_DATA_DIR!, 'token'), 'utf8').trim();
    baseUrl = new URL(line.slice('Dashboard: '.length)).origin;
    dashboardUrl = `${baseUrl}/?token=${encodeURIComponent(token)}`;
  };

  /** A page on the dashboard (the token URL sets the cookie), at `hash`, connected. */
  const open = async (hash = '', height = 900) => {
    const page = await browser.newPage({ viewport: { width: 1280, height } });
    await page.goto(dashboardUrl);
    await page.waitForSelector('#status[data-state="live"]');
    if (hash) await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    return page;
  };

  beforeAll(async () => {
    env = testEnv('e2e', {
      TIDEWATCH_AGENT_INTERVAL_MS: '1000',
      TIDEWATCH_AGENT_HOST: AGENT,
      TIDEWATCH_GATEWAY_PORT: String(await freePort()),
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // A rule that fires on the first CPU sample, so an incident opens while the page is open.
    const configFile = path.join(env.TIDEWATCH_DATA_DIR!, 'e2e-config.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({
        detect: { rules: ['system.cpu.utilization >= 0'] },
        agent: { processesIntervalMs: 3000 },
      }),
    );
    env.TIDEWATCH_CONFIG = configFile;
    await start();
    // Ten synthetic hosts besides this one, for the whole suite.
    loadgen = spawnCli(['loadgen', '--hosts', '10', '--rate', '200'], env);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const p of [loadgen, cli])
      if (p && p.child.exitCode === null) {
        p.child.kill('SIGKILL');
        await p.exited;
      }
    fs.rmSync(env.TIDEWATCH_DATA_DIR!, { recursive: true, force: true });
  });

  it('shows a host’s charts receiving new points live, and its top processes', async () => {
    const page = await open(`#host/${AGENT}`, 1300);
    const points = async (id: string) => Number(await page.getAttribute(id, 'data-points'));
    const first = await waitFor('a first CPU point', async () =>
      (await points('#chart-cpu')) > 0 ? points('#chart-cpu') : undefined,
    );
    await waitFor('a new CPU point arriving live', async () => (await points('#chart-cpu')) > first);
    for (const chart of ['memory', 'load', 'filesystems', 'disk', 'network'])
      await waitFor(`points on the ${chart} chart`, async () => (await points(`#chart-${chart}`)) > 0);
    // CPU by mode: several series (user, system, …), idle left out.
    expect(Number(await page.getAttribute('#chart-cpu', 'data-series'))).toBeGreaterThan(2);
    expect(await page.textContent('#chart-cpu')).not.toContain('idle');
    await page.waitForSelector('#processes-body tr', { timeout: 60_000 });
    expect(await page.textContent('#host-freshness')).toMatch(/last sample \d+ s ago/);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-host.png'), fullPage: true });
    await page.close();
  });

  it('shows each host as a tile with its freshness, figures and sparklines, and finds it by search', async () => {
    const page = await open();
    const tile = await page.waitForSelector(`#tiles li[data-host="${AGENT}"][data-freshness="fresh"]`, {
      timeout: 60_000,
    });
    await waitFor('CPU and memory on the tile', async () =>
      /CPU \d+% · mem \d+%/.test((await tile.textContent()) ?? ''),
    );
    await waitFor('the synthetic hosts', async () => (await page.$$('#tiles li')).length === 11);
    await waitFor(
      'a CPU sparkline',
      async () => ((await tile.$eval('svg.cpu path', (p) => p.getAttribute('d'))) ?? '') !== '',
    );
    await page.fill('#host-search', 'no-such-host-xyz');
    await page.waitForSelector('#tiles li', { state: 'detached' });
    expect(await page.textContent('#host-count')).toBe('0 of 11');
    await page.fill('#host-search', 'E2E-A');
    await page.waitForSelector(`#tiles li[data-host="${AGENT}"]`);
    expect((await page.$$('#tiles li')).length).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-overview.png'), fullPage: true });
    // A tile opens its host.
    await page.click(`#tiles li[data-host="${AGENT}"]`);
    await page.waitForSelector('#view-host:not([hidden])');
    expect(await page.textContent('#host-name')).toBe(AGENT);
    await page.close();
  });

  it('switches the charts between live ranges and history from the rollups', async () => {
    const page = await open(`#host/${AGENT}`);
    await page.selectOption('#range', '1h');
    await page.waitForSelector('#host-source:text("history + live")');
    await waitFor('points over the last hour', async () =>
      Number(await page.getAttribute('#chart-cpu', 'data-points')) > 0 ? true : undefined,
    );
    await page.selectOption('#range', '24h');
    await page.waitForSelector('#host-source:text-is("history")');
    expect(await page.isHidden('#banner')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-history.png') });
    await page.close();
  });

  it('shows the pipeline: throughput, drops, sinks, backpressure, lag per partition and agent spools', async () => {
    const page = await open('#pipeline');
    // Rates need two readings of the counters.
    const text = await waitFor('events per second in the pipeline panel', async () => {
      const t = (await page.textContent('#p-in')) ?? '';
      return /^[\d,]+\/s · [\d,]+$/.test(t) ? t : undefined;
    });
    const received = Number(text.split('·')[1]!.replace(/,/g, ''));
    expect(received).toBeGreaterThan(0);
    expect(await page.textContent('#p-breakers')).toBe('all writing');
    expect(await page.textContent('#p-backpressure')).toMatch(/^(flowing|holding: .+)$/);
    expect(Number(await page.textContent('#p-clients'))).toBeGreaterThanOrEqual(1);
    await waitFor('lag of the processor’s partitions', async () =>
      ((await page.textContent('#lag-body')) ?? '').includes('tidewatch.metrics.v1 [0]'),
    );
    await waitFor('this host’s agent spool', async () =>
      ((await page.textContent('#spool-body')) ?? '').includes(AGENT),
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-pipeline.png'), fullPage: true });
    await page.close();
  });

  it('lists incidents as they open, filters them, and links each to a marker on its chart with the reason', async () => {
    const page = await open('#anomalies');
    const rule = 'rule "system.cpu.utilization >= 0"';
    const item = await page.waitForSelector(
      `#incidents li[data-status="open"]:has(.host:text-is("${AGENT}")):has-text('${rule}')`,
      { timeout: 60_000 },
    );
    expect(await item.textContent()).toMatch(
      /CPU utilization.* is at or above 0 \(rule "system\.cpu\.utilization >= 0"\)/,
    );
    expect(await page.textContent('#incident-count')).toMatch(/^\d+ open · \d+ of \d+ shown$/);
    await page.fill('#incident-search', AGENT);
    await waitFor('only this host’s incidents', async () =>
      (await page.$$eval('#incidents li .host', (hosts) => hosts.map((h) => h.textContent))).every(
        (h) => h === 'e2e-agent',
      ),
    );
    await page.selectOption('#incident-status', 'closed');
    await waitFor(
      'no open incident shown',
      async () => (await page.$$('#incidents li[data-status="open"]')).length === 0,
    );
    await page.selectOption('#incident-status', 'all');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-anomalies.png'), fullPage: true });
    // The rule's incident: a detector's incident on this host may be open too, and newer.
    await page.click(
      `#incidents li[data-status="open"]:has(.host:text-is("${AGENT}")):has-text('${rule}') a.reason`,
    );
    await page.waitForSelector('#view-host:not([hidden])');
    // The incident's own marker, highlighted as the linked moment, with its reason on hover.
    const marker = '#chart-cpu .marker[data-severity="linked"]';
    await page.waitForSelector(marker, { timeout: 30_000 });
    // Until a draw finds the incident within the chart's range, the linked moment has a marker of
    // its own ("linked moment: …"); the incident's marker, with its reason, takes its place.
    const title = await pollUntil(
      () => page.getAttribute(marker, 'title'),
      (t) => t?.includes(rule) === true,
      30_000,
      250,
    );
    expect(title).toContain(rule);
    await page.hover(marker);
    await waitFor('the chart’s points around the marker', async () =>
      Number(await page.getAttribute('#chart-cpu', 'data-points')) > 0 ? true : undefined,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-marker.png') });
    await page.close();
  });

  it('runs read-only SQL from the console: a table, a chart of a time series, a CSV file; refuses writes', async () => {
    const page = await open('#sql');
    await page.fill(
      '#sql-query',
      `SELECT toStartOfInterval(ts, INTERVAL 10 SECOND) AS t, count() AS samples
       FROM tidewatch.metrics WHERE ts > now() - INTERVAL 10 MINUTE GROUP BY t ORDER BY t`,
    );
    await page.click('#sql-run');
    await page.waitForSelector('#sql-status:has-text("rows in")');
    expect((await page.$$('#sql-body tr')).length).toBeGreaterThan(1);
    expect(await page.textContent('#sql-head')).toBe('tsamples');
    await page.waitForSelector('#sql-chart:not([hidden]) canvas');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#sql-csv')]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('t,samples');
    expect(csv.split('\r\n').length).toBeGreaterThan(2);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-sql.png'), fullPage: true });
    await page.fill('#sql-query', 'DROP TABLE tidewatch.metrics');
    await page.keyboard.press('Control+Enter');
    await page.waitForSelector('#sql-status[data-state="bad"]');
    expect(await page.textContent('#sql-status')).toMatch(/only SELECT/);
    await page.close();
  });

  it('is driven from the keyboard and switches theme and wall display', async () => {
    const page = await open();
    const theme = await page.getAttribute('html', 'data-theme');
    await page.keyboard.press('t');
    expect(await page.getAttribute('html', 'data-theme')).toBe(theme === 'dark' ? 'light' : 'dark');
    await page.keyboard.press('3');
    await page.waitForSelector('#view-anomalies:not([hidden])');
    await page.keyboard.press('1');
    await page.waitForSelector('#view-overview:not([hidden])');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement.id')).toBe('host-search');
    await page.keyboard.press('Escape');
    await page.evaluate('document.activeElement.blur()');
    await page.keyboard.press('w');
    expect(await page.getAttribute('body', 'class')).toContain('wall');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-wall-dark.png') });
    await page.close();
  });

  it('refuses the page and the WebSocket without the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const response = await page.goto(baseUrl + '/');
    expect(response?.status()).toBe(401);
    const outcome = await page.evaluate(
      (url) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(url);
          ws.onopen = () => resolve('open');
          ws.onclose = () => resolve('closed');
        }),
      baseUrl.replace('http', 'ws') + '/ws',
    );
    expect(outcome).toBe('closed');
    await context.close();
  });

  it('answers `tidewatch sql` through the running instance with a growing count', async () => {
    const count = () => {
      const run = runCli(['sql', 'SELECT count() AS n FROM tidewatch.metrics', '--format', 'json'], env);
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      return Number(JSON.parse(run.stdout)[0].n);
    };
    const first = count();
    expect(first).toBeGreaterThan(0);
    await waitFor('the count to grow', () => count() > first);
    const refused = runCli(['sql', 'DROP TABLE tidewatch.metrics'], env);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/only SELECT/);
  });

  it('prints decoded records with `tidewatch tail`', async () => {
    const tail = spawnCli(['tail', `${env.TIDEWATCH_TOPIC_PREFIX}tidewatch.metrics.v1`], env);
    try {
      const line = await waitForLine(tail, /^\{.*"event_id"/, 'a decoded record', 60_000);
      const record = JSON.parse(line);
      expect(record).toMatchObject({
        // a host metric, a rate beside a counter (tidewatch.system.*_rate) or the agent's own
        metric: expect.stringMatching(/^(system|tidewatch\.system|tidewatch\.agent)\./),
        unit: expect.any(String),
        attributes: expect.any(Object),
      });
      expect(typeof record.value).toBe('number');
    } finally {
      tail.child.kill('SIGINT');
      await tail.exited;
    }
  });

  it('reconnects after the instance restarts, and shows live data again', async () => {
    const page = await open(`#host/${AGENT}`);
    // The host's CPU chart with points (the overview's tiles render hidden behind the host view, and
    // a selector list would wait for the first match in document order to show).
    await page.waitForSelector('#chart-cpu[data-points]:not([data-points="0"])');
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    await page.waitForSelector('#status[data-state="offline"]');
    expect(await page.textContent('#banner-text')).toMatch(/restarting|lost/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-offline.png') });
    await start();
    await page.waitForSelector('#status[data-state="live"]', { timeout: 60_000 });
    await page.waitForSelector('#banner', { state: 'hidden' });
    const before = Number(await page.getAttribute('#chart-cpu', 'data-points'));
    await waitFor('new CPU points after the restart', async () =>
      Number(await page.getAttribute('#chart-cpu', 'data-points')) > before ? true : undefined,
    );
    await page.close();
  });

  it('shuts down cleanly on Ctrl-C', async () => {
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(fs.existsSync(path.join(env.TIDEWATCH_DATA_DIR!, 'runtime.json'))).toBe(false);
  });
});
