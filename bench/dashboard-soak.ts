import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startInstance } from '../cli/instance';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/logger';
import { launchChromium } from './chromium';
import { slopePerMinute } from './slope';

export interface DashboardSoakOptions {
  minutes: number;
  /** Synthetic hosts (besides this one) and their samples per second. */
  hosts: number;
  rate: number;
  /** Seconds on each view. */
  dwell: number;
}

interface Reading {
  minute: number;
  heapMb: number;
  nodes: number;
  listeners: number;
  charts: number;
  /** Milliseconds the overview's last redraw of every tile took. */
  tilesRenderMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x * 100) / 100;

/**
 * `npm run bench -- dashboard-soak`: the whole pipeline (`tidewatch start` in this process, plus
 * `tidewatch loadgen`), and the dashboard in Chromium cycling through every view (overview, two
 * hosts with range changes, anomalies, pipeline, SQL with a query) for `minutes`. After each
 * cycle, back on the overview and after a forced garbage collection, it reads the page's JS heap,
 * DOM node count, event listeners and live chart instances: all should stay flat.
 */
export async function dashboardSoakBench(o: DashboardSoakOptions): Promise<Record<string, unknown>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-bench-soak-'));
  const env = {
    ...process.env,
    TIDEWATCH_DATA_DIR: dataDir,
    TIDEWATCH_GATEWAY_PORT: '0',
    TIDEWATCH_AGENT_INTERVAL_MS: '1000',
    TIDEWATCH_AGENT_HOST: 'soak-agent',
  } as Record<string, string>;
  const instance = await startInstance(loadConfig({ env }), silentLogger);
  const loadgen = spawn(
    process.execPath,
    [
      path.join(__dirname, '..', '..', 'bin', 'tidewatch.js'),
      'loadgen',
      '--hosts',
      String(o.hosts),
      '--rate',
      String(o.rate),
    ],
    { env, stdio: 'ignore' },
  );
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(instance.dashboardUrl);
    await page.waitForSelector('#status[data-state="live"]');
    const go = (hash: string) => page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
    const views: (() => Promise<unknown>)[] = [
      () => go('#overview'),
      () => go('#host/soak-agent'),
      () => page.selectOption('#range', '1h'),
      () => go('#host/loadgen-0001'),
      () => page.selectOption('#range', '15m'),
      () => go('#anomalies'),
      () => go('#pipeline'),
      async () => {
        await go('#sql');
        // A result of constant size, so the table's nodes do not grow with the data.
        await page.fill(
          '#sql-query',
          `SELECT toStartOfMinute(ts) AS minute, host, avg(value) AS cpu FROM tidewatch.metrics
           WHERE metric = 'system.cpu.utilization' AND state = '' GROUP BY minute, host
           ORDER BY minute DESC, host LIMIT 100`,
        );
        await page.click('#sql-run');
      },
    ];
    const readings: Reading[] = [];
    const started = Date.now();
    let cycles = 0;
    while (Date.now() - started < o.minutes * 60_000) {
      for (const view of views) {
        await view().catch(async (err: unknown) => {
          const shot = path.join(os.tmpdir(), 'tidewatch-soak-failure.png');
          await page.screenshot({ path: shot });
          throw new Error(`${String(err)} (screenshot: ${shot})`);
        });
        await sleep(o.dwell * 1000);
      }
      cycles++;
      await go('#overview');
      await sleep(2500); // past one tick of the page's timer: a steady redraw, not the first
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
      readings.push({
        minute: round((Date.now() - started) / 60_000),
        heapMb: round(metric('JSHeapUsedSize') / 2 ** 20),
        nodes: metric('Nodes'),
        listeners: metric('JSEventListeners'),
        charts: Number(await page.evaluate('tidewatchCharts()')),
        tilesRenderMs: Number(await page.getAttribute('#tiles', 'data-render-ms')),
      });
    }
    // The first reading is taken after one cycle: buffers fill and caches warm during it.
    const steady = readings.slice(1);
    const of = (key: keyof Reading) => ({
      first: steady[0]?.[key],
      last: steady.at(-1)?.[key],
      max: Math.max(...steady.map((r) => r[key])),
      per_minute: round(slopePerMinute(steady.map((r) => [r.minute * 60_000, r[key]]))),
    });
    return {
      scenario: 'dashboard-soak',
      minutes: o.minutes,
      cycles,
      views_per_cycle: views.length,
      hosts: o.hosts + 1,
      samples_per_sec: o.rate,
      heap_mb: of('heapMb'),
      dom_nodes: of('nodes'),
      event_listeners: of('listeners'),
      charts_on_overview: of('charts'),
      tiles_render_ms: of('tilesRenderMs'),
      readings,
    };
  } finally {
    await browser.close();
    loadgen.kill('SIGINT');
    await instance.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
