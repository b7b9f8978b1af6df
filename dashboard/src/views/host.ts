import uPlot from 'uplot';
import { $, api, el } from '../api';
import { timeChart, type ChartMarker, type TimeChart } from '../charts/time-chart';
import { formatBytes, type Unit } from '../charts/format';
import { joinHistory } from '../history';
import { freshness } from '../host-tiles';
import { markersFor } from '../incident-list';
import type { Route } from '../router';
import type { View, ViewContext } from './view';

interface ChartSpec {
  id: string;
  title: string;
  /** A metric, or a prefix ending in `.*`. */
  metric: string;
  unit: Unit;
  yMax?: number;
  keep?: (label: string) => boolean;
  name?: (metric: string, label: string) => string;
}

/** The host view's charts, each one /api/series request (all of the metric's series). */
export const HOST_CHARTS: ChartSpec[] = [
  {
    id: 'cpu',
    title: 'CPU by mode',
    metric: 'system.cpu.utilization',
    unit: 'percent',
    yMax: 1,
    keep: (label) => label !== 'idle',
    name: (_m, label) => label || 'busy',
  },
  { id: 'memory', title: 'Memory', metric: 'system.memory.utilization', unit: 'percent', yMax: 1 },
  {
    id: 'load',
    title: 'Load average',
    metric: 'system.cpu.load_average.*',
    unit: 'number',
    name: (m) => m.slice(m.lastIndexOf('.') + 1),
  },
  {
    id: 'filesystems',
    title: 'Filesystems',
    metric: 'system.filesystem.utilization',
    unit: 'percent',
    yMax: 1,
  },
  { id: 'disk', title: 'Disk I/O', metric: 'tidewatch.system.disk.io_rate', unit: 'bytes' },
  { id: 'network', title: 'Network', metric: 'tidewatch.system.network.io_rate', unit: 'bytes' },
];

const matches = (spec: ChartSpec, metric: string) =>
  spec.metric.endsWith('.*') ? metric.startsWith(spec.metric.slice(0, -1)) : metric === spec.metric;

interface HistorySeries {
  metric: string;
  label: string;
  ts: number[];
  values: number[];
}

interface Process {
  pid: number;
  name: string;
  user: string;
  cpu: number;
  rss: number;
  state: string;
  command: string;
}

/** One host: its charts (history from ClickHouse, then live), incidents marked, top processes. */
export function hostView(ctx: ViewContext): View {
  const grid = $('host-charts');
  const processesBody = $<HTMLTableSectionElement>('processes-body');
  let host = '';
  let at: number | undefined;
  let charts = new Map<string, TimeChart>();
  const history = new Map<string, HistorySeries[]>();
  let historyAt = 0;
  let load = 0;
  let resize: ResizeObserver | undefined;

  const loadHistory = async () => {
    if (!host) return;
    const mine = ++load;
    historyAt = Date.now();
    const range = ctx.range();
    try {
      const answers = await Promise.all(
        HOST_CHARTS.map((c) =>
          api<{ series: { metric: string; label: string; points: [number, number, number][] }[] }>(
            `/api/series?${new URLSearchParams({ host, metric: c.metric, range: range.name })}`,
          ),
        ),
      );
      if (mine !== load) return; // the host or range changed meanwhile
      HOST_CHARTS.forEach((c, i) =>
        history.set(
          c.id,
          answers[i]!.series.map((s) => ({
            metric: s.metric,
            label: s.label,
            ts: s.points.map((p) => p[0] / 1000),
            values: s.points.map((p) => p[1]),
          })),
        ),
      );
      $('host-source').textContent = range.live ? 'history + live' : 'history';
      ctx.problem('history', undefined);
      render();
    } catch (err) {
      if (mine !== load) return;
      ctx.problem('history', `History unavailable: ${(err as Error).message}`, () => void loadHistory());
    }
  };

  const loadProcesses = async () => {
    if (!host) return;
    const forHost = host;
    try {
      const body = await api<{ ts: number; processes: Process[] }>(
        `/api/hosts/${encodeURIComponent(host)}/processes`,
      );
      if (forHost !== host) return;
      $('processes-at').textContent = `as of ${new Date(body.ts).toLocaleTimeString()}`;
      processesBody.replaceChildren(
        ...body.processes
          .slice(0, 15)
          .map((p) =>
            el(
              'tr',
              {},
              el('td', { text: String(p.pid) }),
              el('td', { text: p.name, title: p.command }),
              el('td', { text: p.user }),
              el('td', { className: 'num', text: `${(p.cpu * 100).toFixed(1)}%` }),
              el('td', { className: 'num', text: formatBytes(p.rss) }),
              el('td', { text: p.state }),
            ),
          ),
      );
    } catch (err) {
      if (forHost !== host) return;
      processesBody.replaceChildren();
      $('processes-at').textContent = (err as Error).message;
    }
  };

  const render = () => {
    if (!host) return;
    const range = ctx.range();
    // Ranges end now (a linked moment picks a range that still holds it).
    const toS = Date.now() / 1000;
    const fromS = toS - range.ms / 1000;
    const incidents = ctx.store.incidents.ordered();
    for (const spec of HOST_CHARTS) {
      const chart = charts.get(spec.id);
      if (!chart) continue;
      const byKey = new Map<string, { metric: string; label: string; h?: HistorySeries; live?: string }>();
      for (const h of history.get(spec.id) ?? [])
        byKey.set(`${h.metric}\u0000${h.label}`, { metric: h.metric, label: h.label, h });
      if (range.live && ctx.store.focused === host)
        for (const key of ctx.store.detail.keys()) {
          const [metric, label] = key.split('\u0000') as [string, string];
          if (!matches(spec, metric)) continue;
          const entry = byKey.get(key) ?? { metric, label };
          entry.live = key;
          byKey.set(key, entry);
        }
      const parts = [...byKey.values()]
        .filter((s) => !spec.keep || spec.keep(s.label))
        .sort((a, b) => a.metric.localeCompare(b.metric) || a.label.localeCompare(b.label))
        .map((s) => ({
          name: spec.name ? spec.name(s.metric, s.label) : s.label || s.metric,
          points: joinHistory(
            s.h ?? { ts: [], values: [] },
            s.live ? ctx.store.detail.get(s.live) : undefined,
            fromS,
          ),
        }));
      const aligned = parts.length ? uPlot.join(parts.map((p) => p.points as uPlot.AlignedData)) : [[]];
      chart.set(
        aligned[0] as number[],
        parts.map((p, i) => ({ name: p.name, values: aligned[i + 1] as (number | null)[] })),
        fromS,
        toS,
      );
      const markers: ChartMarker[] = markersFor(
        incidents,
        host,
        (m) => matches(spec, m),
        fromS * 1000,
        toS * 1000,
      ).map((a) => ({
        id: a.id,
        t: a.started_at / 1000,
        severity: a.started_at === at ? 'linked' : a.status === 'open' ? a.severity : 'closed',
        title: `${a.severity}${a.status === 'closed' ? ' (closed)' : ''}: ${a.reason} — ${new Date(a.started_at).toLocaleString()}`,
      }));
      // The moment a link pointed at: its incident's marker, else a marker of its own.
      if (at && !markers.some((m) => m.severity === 'linked'))
        markers.push({
          id: 'linked',
          t: at / 1000,
          severity: 'linked',
          title: `linked moment: ${new Date(at).toLocaleString()}`,
        });
      chart.mark(markers);
    }
    const h = ctx.store.headline.get(host);
    const lastMs = h && h.cpu.ts.length ? h.cpu.ts[h.cpu.ts.length - 1]! * 1000 : 0;
    const status = $('host-freshness');
    status.dataset.freshness = lastMs ? freshness(Date.now() - lastMs) : 'stale';
    status.textContent = lastMs
      ? `last sample ${Math.round((Date.now() - lastMs) / 1000)} s ago`
      : 'no live samples yet';
  };

  const build = () => {
    grid.replaceChildren();
    charts = new Map();
    for (const spec of HOST_CHARTS) {
      const box = el('div', { className: 'chart' });
      box.id = `chart-${spec.id}`;
      box.dataset.points = '0';
      grid.append(el('section', { className: 'card' }, el('h2', { text: spec.title }), box));
      charts.set(spec.id, timeChart(box, spec.unit, { yMax: spec.yMax }));
    }
    resize = new ResizeObserver(() => charts.forEach((c) => c.resize()));
    resize.observe(grid);
  };

  const teardown = () => {
    load++;
    resize?.disconnect();
    charts.forEach((c) => c.destroy());
    charts.clear();
    grid.replaceChildren();
    history.clear();
  };

  return {
    name: 'host',
    show(route: Route) {
      const next = route.host || ctx.store.focused || ctx.store.hosts()[0] || '';
      at = route.at;
      teardown();
      host = next;
      ctx.store.focus(host);
      $('host-name').textContent = host || 'no host yet';
      build();
      render();
      void loadHistory();
      void loadProcesses();
    },
    hide() {
      teardown();
      processesBody.replaceChildren();
    },
    tick(ticks) {
      if (!host && ctx.store.hosts().length) return this.show({ view: 'host' });
      render();
      if (ticks % 5 === 0) void loadProcesses();
      if (Date.now() - historyAt > 60_000) void loadHistory();
    },
    incidents: render,
    rangeChanged() {
      history.clear();
      render();
      void loadHistory();
    },
  };
}
