import { $, api, el } from '../api';
import { freshness, visibleTiles, type HostTile, type TileOrder } from '../host-tiles';
import { MAX_HOSTS } from '../live-store';
import type { SeriesBuffer } from '../series-buffer';
import { sparklinePath } from '../sparkline';
import type { View, ViewContext } from './view';

const SVG = 'http://www.w3.org/2000/svg';

/** One sparkline, redrawn only when its series has a newer point than last time. */
class Sparkline {
  readonly svg = document.createElementNS(SVG, 'svg');
  private readonly path = document.createElementNS(SVG, 'path');
  private drawnAt = -1;

  constructor(className: string) {
    this.svg.setAttribute('class', `spark ${className}`);
    this.svg.setAttribute('viewBox', '0 0 100 24');
    this.svg.setAttribute('preserveAspectRatio', 'none');
    this.svg.append(this.path);
  }

  /** The last 15 minutes of `buf`, in percent. */
  update(buf: SeriesBuffer | undefined): void {
    const last = buf && buf.ts.length ? buf.ts[buf.ts.length - 1]! : -1;
    if (!buf || last === this.drawnAt) return;
    this.drawnAt = last;
    let start = buf.ts.length - 1;
    while (start > 0 && buf.ts[start - 1]! >= last - 900) start--;
    this.path.setAttribute(
      'd',
      sparklinePath(
        buf.ts.slice(start),
        buf.values.slice(start).map((v) => v * 100),
        100,
        24,
      ),
    );
  }
}

/** A host's tile, kept across redraws: only what changed is written to the page. */
class Tile {
  readonly li = el('li');
  private readonly badge = el('span', { className: 'badge' });
  private readonly figures = el('span', { className: 'figures' });
  private readonly cpu = new Sparkline('cpu');
  private readonly memory = new Sparkline('memory');

  constructor(host: string) {
    this.li.dataset.host = host;
    this.li.tabIndex = 0;
    this.li.setAttribute('role', 'link');
    this.li.append(
      this.badge,
      el('span', { className: 'name', text: host }),
      this.figures,
      this.cpu.svg,
      this.memory.svg,
    );
  }

  update(t: HostTile, buffers: { cpu: SeriesBuffer; memory: SeriesBuffer } | undefined, now: number): void {
    const age = now - t.lastSeen;
    const pct = (v?: number) => (v === undefined ? '–' : `${(v * 100).toFixed(0)}%`);
    set(this.li.dataset, 'freshness', freshness(age));
    setText(this.badge, t.openIncidents ? `${t.openIncidents} ⚠` : '');
    setText(this.figures, `CPU ${pct(t.cpu)} · mem ${pct(t.memory)}`);
    this.li.title = `${t.host}: last sample ${Math.round(age / 1000)} s ago`;
    this.cpu.update(buffers?.cpu);
    this.memory.update(buffers?.memory);
  }
}

const set = (d: DOMStringMap, key: string, value: string) => {
  if (d[key] !== value) d[key] = value;
};
const setText = (e: HTMLElement, text: string) => {
  if (e.textContent !== text) e.textContent = text;
};

/** Every host as a tile: status colour by freshness, CPU and memory sparklines, open incidents. */
export function overviewView(ctx: ViewContext): View {
  const tilesEl = $<HTMLUListElement>('tiles');
  const searchEl = $<HTMLInputElement>('host-search');
  const orderEl = $<HTMLSelectElement>('host-order');
  const countEl = $('host-count');
  /** At most one per host the store holds (bounded there). */
  const tiles = new Map<string, Tile>();
  /** Each host's labels from /api/hosts, read on show and every 30 s; at most MAX_HOSTS. */
  const labels = new Map<string, Readonly<Record<string, string>>>();
  let labelsAt = -Infinity;
  const readLabels = (now: number) => {
    if (now - labelsAt < 30_000) return;
    labelsAt = now;
    api<{ hosts: { host: string; labels?: Record<string, string> }[] }>('/api/hosts').then(
      ({ hosts }) => {
        labels.clear();
        for (const h of hosts.slice(0, MAX_HOSTS)) if (h.labels) labels.set(h.host, h.labels);
        render();
      },
      () => undefined, // the tiles go on without labels; the next read tries again
    );
  };

  const render = () => {
    const started = performance.now();
    const openByHost = new Map<string, number>();
    for (const a of ctx.store.incidents.ordered())
      if (a.status === 'open') openByHost.set(a.host, (openByHost.get(a.host) ?? 0) + 1);
    const last = (b: SeriesBuffer) => (b.ts.length ? b.ts[b.ts.length - 1]! * 1000 : 0);
    const latest = (b: SeriesBuffer) => (b.values.length ? b.values[b.values.length - 1] : undefined);
    const all: HostTile[] = [];
    for (const [host, h] of ctx.store.headline)
      all.push({
        host,
        lastSeen: Math.max(last(h.cpu), last(h.memory)),
        cpu: latest(h.cpu),
        memory: latest(h.memory),
        openIncidents: openByHost.get(host) ?? 0,
        labels: labels.get(host),
      });
    const shown = visibleTiles(all, searchEl.value, orderEl.value as TileOrder);
    setText(countEl, shown.length === all.length ? `${all.length}` : `${shown.length} of ${all.length}`);
    countEl.title = ctx.store.overflow
      ? `${ctx.store.overflow.toLocaleString()} samples not kept: past ${MAX_HOSTS} hosts, or past the series kept for the host being looked at`
      : '';
    const now = Date.now();
    readLabels(now);
    const items = shown.map((t) => {
      let tile = tiles.get(t.host);
      if (!tile) tiles.set(t.host, (tile = new Tile(t.host)));
      tile.update(t, ctx.store.headline.get(t.host), now);
      return tile.li;
    });
    // Reorder only when the order or the set changed.
    const current = tilesEl.children;
    if (current.length !== items.length || items.some((li, i) => current[i] !== li))
      tilesEl.replaceChildren(...items);
    // How long a redraw takes (the soak benchmark reports it; 500 hosts must stay smooth).
    tilesEl.dataset.renderMs = (performance.now() - started).toFixed(1);
  };

  // One listener for every tile, however often they are redrawn.
  const tileHost = (e: Event) =>
    (e.target as HTMLElement).closest<HTMLLIElement>('li[data-host]')?.dataset.host;
  tilesEl.addEventListener('click', (e) => {
    const host = tileHost(e);
    if (host) ctx.navigate({ view: 'host', host });
  });
  tilesEl.addEventListener('keydown', (e) => {
    const host = tileHost(e);
    if (host && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      ctx.navigate({ view: 'host', host });
    }
  });
  searchEl.addEventListener('input', render);
  orderEl.addEventListener('change', render);

  return {
    name: 'overview',
    show: render,
    hide: () => {
      tilesEl.replaceChildren();
      tiles.clear();
    },
    tick: render,
    incidents: render,
  };
}
