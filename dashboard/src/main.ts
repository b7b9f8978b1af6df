import uPlot from 'uplot';
import { joinHistory, RANGES, type Range } from './history';
import { freshness, visibleTiles, type HostTile, type TileOrder } from './host-tiles';
import { summarize, type PipelineSummary, type Stats } from './pipeline-stats';
import { IncidentList, type Incident } from './incident-list';
import { SeriesBuffer } from './series-buffer';

interface Sample {
  host: string;
  ts: number;
  metric: string;
  value: number;
  attributes: Record<string, string>;
}

type ServerMessage =
  | { type: 'snapshot' | 'samples'; samples: Sample[] }
  | { type: 'anomalies'; anomalies: Incident[] }
  | { type: 'error'; reason: string }
  | { type: 'subscribed' };

const WINDOW_MS = 15 * 60_000;
const MAX_POINTS = 2000;
const MAX_HOSTS = 500;
const CHARTS = [
  { id: 'cpu', metric: 'system.cpu.utilization', state: '', label: 'CPU %' },
  { id: 'mem', metric: 'system.memory.utilization', state: 'used', label: 'Memory %' },
] as const;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const hostSelect = $<HTMLSelectElement>('host');
const statusEl = $('status');
const banner = $('banner');

const incidents = new IncidentList(200);
const incidentList = $<HTMLOListElement>('incidents');

function cell(className: string, text: string): HTMLSpanElement {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

function renderIncidents() {
  const all = incidents.ordered();
  $('no-incidents').hidden = all.length > 0;
  $('open-incidents').textContent = all.length ? `${incidents.open} open` : '';
  incidentList.replaceChildren(
    ...all.map((a) => {
      const li = document.createElement('li');
      li.dataset.status = a.status;
      li.title = `score ${a.score.toFixed(3)}; ${a.status === 'open' ? 'open' : `closed ${new Date(a.ended_at ?? 0).toLocaleTimeString()}`}`;
      const severity = cell('severity', a.status === 'open' ? a.severity : 'closed');
      severity.dataset.severity = a.severity;
      li.append(
        cell('time', new Date(a.started_at).toLocaleString()),
        severity,
        cell('host', a.host),
        cell('reason', a.reason),
      );
      li.addEventListener('click', () => {
        if (!data.has(a.host)) return;
        selected = a.host;
        renderHosts();
        render();
      });
      return li;
    }),
  );
}

/** Per host, per chart: a bounded buffer. */
const data = new Map<string, Map<string, SeriesBuffer>>();
let selected = '';

function setStatus(state: 'live' | 'connecting' | 'offline', text: string) {
  statusEl.dataset.state = state;
  statusEl.textContent = text;
}

function chartFor(id: string, label: string): uPlot {
  const el = $(`chart-${id}`);
  return new uPlot(
    {
      width: el.clientWidth || 600,
      height: 240,
      scales: { x: { time: true }, y: { range: [0, 100] } },
      axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${t}%`) }],
      series: [
        {},
        {
          label,
          stroke: id === 'cpu' ? '#2f81f7' : '#a371f7',
          width: 2,
          fill: id === 'cpu' ? '#2f81f722' : '#a371f722',
        },
      ],
    },
    [[], []],
    el,
  );
}

const charts = new Map(CHARTS.map((c) => [c.metric, { ...c, plot: chartFor(c.id, c.label) }]));

function isHeadline(s: Sample): boolean {
  return (
    (s.metric === 'system.cpu.utilization' && Object.keys(s.attributes).length === 0) ||
    s.metric === 'system.memory.utilization'
  );
}

function addSamples(samples: Sample[]) {
  let newHost = false;
  for (const s of samples) {
    if (!isHeadline(s)) continue;
    let byMetric = data.get(s.host);
    if (!byMetric) {
      if (data.size >= MAX_HOSTS) continue;
      byMetric = new Map();
      data.set(s.host, byMetric);
      newHost = true;
    }
    let buf = byMetric.get(s.metric);
    if (!buf) byMetric.set(s.metric, (buf = new SeriesBuffer(MAX_POINTS, WINDOW_MS)));
    buf.push(s.ts, s.value * 100);
  }
  if (newHost) {
    const before = selected;
    renderHosts();
    renderTiles();
    if (selected !== before) reloadHistory();
  }
  render();
}

function renderHosts() {
  const hosts = [...data.keys()].sort();
  if (!selected || !data.has(selected)) selected = hosts[0] ?? '';
  hostSelect.replaceChildren(...hosts.map((h) => new Option(h, h, false, h === selected)));
}

/** The selected host's history for the selected range, per chart metric (seconds, percent). */
const history = new Map<string, { ts: number[]; values: number[] }>();
let range: Range = RANGES[1];
let historyAt = 0;
/** Counts loads; a load whose host or range was changed meanwhile is superseded by a newer one. */
let historyLoad = 0;
const HISTORY_FAILED = 'History unavailable';

/** Loads the selected host's charts over the selected range from /api/series (raw, 1 min or hourly). */
async function loadHistory() {
  const host = selected;
  if (!host) return;
  const load = ++historyLoad;
  historyAt = Date.now();
  try {
    const loaded = await Promise.all(
      CHARTS.map(async (c) => {
        const query = new URLSearchParams({ host, metric: c.metric, state: c.state, range: range.name });
        const res = await fetch(`/api/series?${query}`, { credentials: 'same-origin' });
        const body = (await res.json()) as {
          points?: [number, number, number][];
          error?: { message: string };
        };
        if (!res.ok || !body.points) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        return [c.metric, body.points] as const;
      }),
    );
    if (load !== historyLoad) return; // superseded
    for (const [metric, points] of loaded)
      history.set(metric, { ts: points.map((p) => p[0] / 1000), values: points.map((p) => p[1] * 100) });
    $('range-source').textContent = range.live ? 'live' : 'history';
    if (banner.textContent?.startsWith(HISTORY_FAILED)) banner.hidden = true;
    render();
  } catch (err) {
    if (load !== historyLoad) return;
    banner.textContent = `${HISTORY_FAILED}: ${(err as Error).message}. Retrying in a minute.`;
    banner.hidden = false;
  }
}

function reloadHistory() {
  history.clear();
  render();
  void loadHistory();
}

function render() {
  const byMetric = data.get(selected);
  const nowS = Date.now() / 1000;
  const fromS = nowS - range.ms / 1000;
  for (const chart of charts.values()) {
    const buf = byMetric?.get(chart.metric);
    const [ts, values] = joinHistory(
      history.get(chart.metric) ?? { ts: [], values: [] },
      range.live ? buf : undefined,
      fromS,
    );
    chart.plot.setData([ts, values], false);
    chart.plot.setScale('x', { min: fromS, max: nowS });
    $(`chart-${chart.id}`).dataset.points = String(ts.length);
    const latest = values[values.length - 1];
    $(`latest-${chart.id}`).textContent = latest === undefined ? '' : `${latest.toFixed(1)}%`;
  }
}

const rangeSelect = $<HTMLSelectElement>('range');
rangeSelect.replaceChildren(
  ...RANGES.map(
    (r) => new Option(r.live ? `last ${r.name}` : `${r.name} history`, r.name, false, r === range),
  ),
);
rangeSelect.addEventListener('change', () => {
  range = RANGES.find((r) => r.name === rangeSelect.value) ?? RANGES[1];
  reloadHistory();
});

hostSelect.addEventListener('change', () => {
  selected = hostSelect.value;
  reloadHistory();
  renderTiles();
});

const tilesEl = $<HTMLUListElement>('tiles');
const searchEl = $<HTMLInputElement>('host-search');
const orderEl = $<HTMLSelectElement>('host-order');

function select(host: string) {
  selected = host;
  renderHosts();
  reloadHistory();
  renderTiles();
}

/** The overview: one tile per host (at most MAX_HOSTS), redrawn on one timer, not per sample. */
function renderTiles() {
  const openByHost = new Map<string, number>();
  for (const a of incidents.ordered())
    if (a.status === 'open') openByHost.set(a.host, (openByHost.get(a.host) ?? 0) + 1);
  const tiles: HostTile[] = [];
  for (const [host, byMetric] of data) {
    const cpu = byMetric.get('system.cpu.utilization');
    const mem = byMetric.get('system.memory.utilization');
    const last = (b?: SeriesBuffer) => (b && b.ts.length ? b.ts[b.ts.length - 1]! * 1000 : 0);
    const latest = (b?: SeriesBuffer) =>
      b && b.values.length ? b.values[b.values.length - 1]! / 100 : undefined;
    tiles.push({
      host,
      lastSeen: Math.max(last(cpu), last(mem)),
      cpu: latest(cpu),
      memory: latest(mem),
      openIncidents: openByHost.get(host) ?? 0,
    });
  }
  const shown = visibleTiles(tiles, searchEl.value, orderEl.value as TileOrder);
  $('host-count').textContent =
    shown.length === tiles.length ? `${tiles.length}` : `${shown.length} of ${tiles.length}`;
  const now = Date.now();
  const pct = (v?: number) => (v === undefined ? '–' : `${(v * 100).toFixed(0)}%`);
  tilesEl.replaceChildren(
    ...shown.map((t) => {
      const li = document.createElement('li');
      const age = now - t.lastSeen;
      li.dataset.host = t.host;
      li.dataset.freshness = freshness(age);
      li.tabIndex = 0;
      li.setAttribute('role', 'button');
      if (t.host === selected) li.setAttribute('aria-current', 'true');
      li.title = `${t.host}: last sample ${Math.round(age / 1000)} s ago`;
      const badge = t.openIncidents ? [cell('badge', `${t.openIncidents} ⚠`)] : [];
      li.append(...badge, cell('name', t.host), cell('figures', `CPU ${pct(t.cpu)} · mem ${pct(t.memory)}`));
      return li;
    }),
  );
}

// One listener for every tile, however often they are redrawn.
const tileHost = (e: Event) =>
  (e.target as HTMLElement).closest<HTMLLIElement>('li[data-host]')?.dataset.host;
tilesEl.addEventListener('click', (e) => {
  const host = tileHost(e);
  if (host) select(host);
});
tilesEl.addEventListener('keydown', (e) => {
  const host = tileHost(e);
  if (host && (e.key === 'Enter' || e.key === ' ')) {
    e.preventDefault();
    select(host);
  }
});
searchEl.addEventListener('input', renderTiles);
orderEl.addEventListener('change', renderTiles);
let lastStats: { at: number; summary: PipelineSummary } | undefined;
let statsLoading = false;

/** The pipeline panel, from /api/pipeline/stats (rates from the difference with the last reading). */
async function loadPipelineStats() {
  if (statsLoading) return;
  statsLoading = true;
  try {
    const res = await fetch('/api/pipeline/stats', { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const at = Date.now();
    const s = summarize(((await res.json()) as { stats: Stats }).stats, lastStats, at);
    lastStats = { at, summary: s };
    const count = (n: number) => Math.round(n).toLocaleString();
    const rate = (n?: number) => (n === undefined ? '…' : `${count(n)}/s`);
    const dropped = Object.entries(s.dropped).reduce((n, [, v]) => n + v, 0);
    $('p-in').textContent = `${rate(s.inPerSec)} · ${count(s.received)}`;
    $('p-stored').textContent = `${rate(s.storedPerSec)} · ${count(s.stored)}`;
    const droppedEl = $('p-dropped');
    droppedEl.textContent = count(dropped);
    droppedEl.title = Object.entries(s.dropped)
      .map(([reason, n]) => `${reason}: ${count(n)}`)
      .join('\n');
    droppedEl.dataset.state = dropped > 0 ? 'bad' : 'ok';
    $('p-dedupe').textContent = count(s.dedupeHits);
    $('p-late').textContent = count(s.lateEvents);
    const failing = Object.entries(s.breakers).filter(([, state]) => state !== 'closed');
    const breakers = $('p-breakers');
    breakers.textContent = failing.length
      ? failing.map(([sink, st]) => `${sink} ${st}`).join(', ')
      : 'all writing';
    breakers.dataset.state = failing.length ? 'bad' : 'ok';
    $('p-clients').textContent = count(s.wsClients);
  } catch {
    $('p-in').textContent = 'unavailable';
  } finally {
    statsLoading = false;
  }
}
void loadPipelineStats();

// The view's one timer: tiles, pipeline figures, the moving time axis, history every minute.
let ticks = 0;
setInterval(() => {
  renderTiles();
  if (++ticks % 2 === 0) void loadPipelineStats();
  if (!range.live) render();
  if (Date.now() - historyAt > 60_000) void loadHistory();
}, 2000);

new ResizeObserver(() => {
  for (const chart of charts.values())
    chart.plot.setSize({ width: $(`chart-${chart.id}`).clientWidth, height: 240 });
}).observe(document.querySelector('main')!);

let attempt = 0;
function connect() {
  setStatus('connecting', attempt ? `reconnecting (try ${attempt})…` : 'connecting…');
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  ws.onopen = () => {
    attempt = 0;
    banner.hidden = true;
    setStatus('live', 'live');
  };
  ws.onmessage = (event) => {
    const msg = JSON.parse(String(event.data)) as ServerMessage;
    if (msg.type === 'snapshot' || msg.type === 'samples') addSamples(msg.samples);
    else if (msg.type === 'anomalies') {
      if (incidents.merge(msg.anomalies)) renderIncidents();
    } else if (msg.type === 'error') {
      banner.textContent = msg.reason;
      banner.hidden = false;
    }
  };
  ws.onclose = (event) => {
    setStatus('offline', 'offline');
    banner.textContent =
      event.code === 1001 ? 'The server is restarting; reconnecting…' : 'Connection lost; reconnecting…';
    banner.hidden = false;
    const delay = Math.random() * Math.min(30_000, 500 * 2 ** attempt++);
    setTimeout(connect, delay);
  };
}

connect();
