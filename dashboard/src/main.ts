import { $ } from './api';
import { connect } from './connection';
import { RANGES, rangeCovering, type Range } from './history';
import { LiveStore } from './live-store';
import { parseRoute, routeHash, VIEWS, type Route, type ViewName } from './router';
import { initTheme } from './theme';
import { anomaliesView } from './views/anomalies';
import { hostView } from './views/host';
import { overviewView } from './views/overview';
import { pipelineView } from './views/pipeline';
import { sqlView } from './views/sql';
import type { View, ViewContext } from './views/view';

const store = new LiveStore();
let range: Range = RANGES[1];

// Problems by source (connection, history, pipeline…): the newest is shown, with its retry button.
const problems = new Map<string, { text: string; retry?: () => void }>();
const banner = $('banner');
function showProblems() {
  const last = [...problems.values()].pop();
  banner.hidden = !last;
  if (!last) return;
  $('banner-text').textContent = last.text;
  $('banner-retry').hidden = !last.retry;
}
$('banner-retry').addEventListener('click', () => [...problems.values()].pop()?.retry?.());

const ctx: ViewContext = {
  store,
  navigate: (route) => {
    location.hash = routeHash(route);
  },
  range: () => range,
  problem(source, text, retry) {
    if (text === undefined) problems.delete(source);
    else {
      problems.delete(source);
      problems.set(source, { text, retry });
    }
    showProblems();
  },
};

const views = new Map<ViewName, View>(
  [overviewView(ctx), hostView(ctx), anomaliesView(ctx), pipelineView(ctx), sqlView(ctx)].map((v) => [
    v.name,
    v,
  ]),
);
let active: View | undefined;

/** Shows the view the hash names: hides (and so frees) the previous one first. */
function route() {
  const r: Route = parseRoute(location.hash);
  if (r.view === 'host' && r.at) setRange(rangeCovering(Date.now() - r.at));
  active?.hide();
  for (const name of VIEWS) {
    $(`view-${name}`).hidden = name !== r.view;
    const tab = document.querySelector(`nav a[data-view="${name}"]`);
    if (name === r.view) tab?.setAttribute('aria-current', 'page');
    else tab?.removeAttribute('aria-current');
  }
  document.body.dataset.view = r.view;
  active = views.get(r.view)!;
  active.show(r);
  const hostLink = document.querySelector<HTMLAnchorElement>('nav a[data-view="host"]')!;
  if (store.focused) hostLink.href = routeHash({ view: 'host', host: store.focused });
}
addEventListener('hashchange', route);

const rangeSelect = $<HTMLSelectElement>('range');
rangeSelect.replaceChildren(
  ...RANGES.map(
    (r) => new Option(r.live ? `last ${r.name}` : `${r.name} history`, r.name, false, r === range),
  ),
);
function setRange(next: Range) {
  range = next;
  rangeSelect.value = next.name;
}
rangeSelect.addEventListener('change', () => {
  setRange(RANGES.find((r) => r.name === rangeSelect.value) ?? RANGES[1]);
  active?.rangeChanged?.();
});

const toggleTheme = initTheme($<HTMLButtonElement>('theme'));
const setWall = (on: boolean) => {
  document.body.classList.toggle('wall', on);
  $('wall').setAttribute('aria-pressed', String(on));
};
const toggleWall = () => setWall(!document.body.classList.contains('wall'));
$('wall').addEventListener('click', toggleWall);
setWall(new URLSearchParams(location.search).has('wall'));

// Keyboard: 1–5 views, / search, t theme, w wall display; never while typing.
addEventListener('keydown', (e) => {
  const target = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
  const n = Number(e.key);
  if (n >= 1 && n <= VIEWS.length) ctx.navigate({ view: VIEWS[n - 1]!, host: store.focused || undefined });
  else if (e.key === 't') toggleTheme();
  else if (e.key === 'w') toggleWall();
  else if (e.key === '/') {
    const search = document.querySelector<HTMLInputElement>(`#view-${active?.name} input[type="search"]`);
    if (search) {
      e.preventDefault();
      search.focus();
    }
  }
});

const statusEl = $('status');
const connection = connect({
  status(state, text, detail) {
    statusEl.dataset.state = state;
    statusEl.textContent = text;
    ctx.problem('connection', detail, detail ? () => connection.retryNow() : undefined);
  },
  message(msg) {
    if (msg.type === 'snapshot' || msg.type === 'samples') {
      if (store.add(msg.samples) && active?.name === 'host' && !store.focused) route();
    } else if (msg.type === 'anomalies') {
      if (store.incidents.merge(msg.anomalies)) {
        $('open-incidents').textContent = store.incidents.open ? String(store.incidents.open) : '';
        active?.incidents?.();
      }
    } else if (msg.type === 'error') ctx.problem('server', msg.reason);
  },
});

// The page's one timer: the shown view redraws and polls on it.
let ticks = 0;
setInterval(() => active?.tick(++ticks), 2000);
route();
