import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/chromium';
import { runCli, spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import { testEnv } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const ARTIFACTS = path.join(__dirname, '..', '..', 'test-artifacts');

describe('tidewatch start, seen from a browser and from the CLI', () => {
  const env = testEnv('e2e', { TIDEWATCH_AGENT_INTERVAL_MS: '1000' });
  let cli: RunningCli;
  let browser: Browser;
  let dashboardUrl: string;
  let baseUrl: string;

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // A rule that fires on the first CPU sample, so an incident opens while the page is open.
    const configFile = path.join(env.TIDEWATCH_DATA_DIR!, 'e2e-config.json');
    fs.writeFileSync(configFile, JSON.stringify({ detect: { rules: ['system.cpu.utilization >= 0'] } }));
    env.TIDEWATCH_CONFIG = configFile;
    cli = spawnCli(['start'], env);
    const line = await waitForLine(
      cli,
      /^Dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/,
      'the dashboard URL',
    );
    dashboardUrl = line.slice('Dashboard: '.length);
    baseUrl = new URL(dashboardUrl).origin;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    if (cli && cli.child.exitCode === null) {
      cli.child.kill('SIGKILL');
      await cli.exited;
    }
    fs.rmSync(env.TIDEWATCH_DATA_DIR!, { recursive: true, force: true });
  });

  it('shows the live chart receiving new points', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await page.goto(dashboardUrl);
    await page.waitForSelector('#status[data-state="live"]');
    const points = async (id: string) => Number(await page.getAttribute(id, 'data-points'));
    const first = await waitFor('a first CPU point', async () =>
      (await points('#chart-cpu')) > 0 ? points('#chart-cpu') : undefined,
    );
    await waitFor('a new CPU point arriving live', async () => (await points('#chart-cpu')) > first);
    await waitFor('memory points', async () => (await points('#chart-mem')) > 0);
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png') });
    await page.close();
  });

  it('shows each host as a tile with its freshness and latest figures, and finds it by search', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboardUrl);
    const tile = await page.waitForSelector('#tiles li[data-freshness="fresh"]', { timeout: 60_000 });
    const host = (await tile.getAttribute('data-host'))!;
    await waitFor('CPU and memory on the tile', async () =>
      /CPU \d+% · mem \d+%/.test((await tile.textContent()) ?? ''),
    );
    await page.fill('#host-search', 'no-such-host-xyz');
    await page.waitForSelector('#tiles li', { state: 'detached' });
    expect(await page.textContent('#host-count')).toBe('0 of 1');
    await page.fill('#host-search', host.slice(0, 3).toUpperCase());
    await page.waitForSelector(`#tiles li[data-host="${host}"]`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-hosts.png'), fullPage: true });
    await page.close();
  });

  it('switches the charts between live ranges and history from the rollups', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboardUrl);
    await page.waitForSelector('#status[data-state="live"]');
    await page.selectOption('#range', '1h');
    await page.waitForSelector('#range-source:text("live")');
    await waitFor('points over the last hour', async () =>
      Number(await page.getAttribute('#chart-cpu', 'data-points')) > 0 ? true : undefined,
    );
    await page.selectOption('#range', '24h');
    await page.waitForSelector('#range-source:text("history")');
    expect(await page.isHidden('#banner')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-history.png') });
    await page.close();
  });

  it('shows the pipeline: events in and stored per second, drops, and every sink writing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboardUrl);
    // Rates need two readings of the counters.
    const text = await waitFor('events per second in the pipeline panel', async () => {
      const t = (await page.textContent('#p-in')) ?? '';
      return /^[\d,]+\/s · [\d,]+$/.test(t) ? t : undefined;
    });
    const received = Number(text.split('·')[1]!.replace(/,/g, ''));
    expect(received).toBeGreaterThan(0);
    expect(await page.textContent('#p-breakers')).toBe('all writing');
    expect(Number(await page.textContent('#p-clients'))).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-pipeline.png'), fullPage: true });
    await page.close();
  });

  it('lists incidents as they open, with their reason', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(dashboardUrl);
    // The rule's incident, not the first one: the detectors may also flag this host's real traffic.
    const item = await page.waitForSelector(
      '#incidents li[data-status="open"]:has-text("rule \\"system.cpu.utilization >= 0\\"")',
      { timeout: 60_000 },
    );
    expect(await item.textContent()).toMatch(
      /CPU utilization.* is at or above 0 \(rule "system\.cpu\.utilization >= 0"\)/,
    );
    expect(await page.textContent('#open-incidents')).toMatch(/^\d+ open$/);
    expect(await page.isHidden('#no-incidents')).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-incidents.png'), fullPage: true });
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
        metric: expect.stringMatching(/^system\./),
        unit: expect.any(String),
        attributes: expect.any(Object),
      });
      expect(typeof record.value).toBe('number');
    } finally {
      tail.child.kill('SIGINT');
      await tail.exited;
    }
  });

  it('shuts down cleanly on Ctrl-C', async () => {
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(fs.existsSync(path.join(env.TIDEWATCH_DATA_DIR!, 'runtime.json'))).toBe(false);
  });
});
