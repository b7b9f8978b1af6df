import { el } from '../api';
import { freshness, visibleTiles, type HostTile, type TileOrder } from '../host-tiles';
import type { SeriesBuffer } from '../series-buffer';
import { sparklinePath } from '../sparkline';
import type { View, ViewContext } from './view';

const SVG = 'http://www.w3.org/2000/svg';

function sparkline(buf: SeriesBuffer | undefined, className: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', `spark ${className}`);
  svg.setAttribute('viewBox', '0 0 100 24');
  svg.setAttribute('preserveAspectRatio', 'none');
  const path = document.createElementNS(SVG, 'path');
  // The last 15 minutes, in percent.
  const from = buf && buf.ts.length ? buf.ts[buf.ts.length - 1]! - 900 : 0;
  const start = buf ? buf.ts.findIndex((t) => t >= from) : -1;
  path.setAttribute(
    'd',
    buf && start >= 0
      ? sparklinePath(
          buf.ts.slice(start),
          buf.values.slice(start).map((v) => v * 100),
          100,
          24,
        )
      : '',
  );
  svg.append(path);
  return svg;
}

/** Every host as a tile: status colour by freshness, CPU and memory sparklines, open incidents. */
export function overviewView(ctx: ViewContext): View {
  const tilesEl = document.getElementById('tiles') as HTMLUListElement;
  const searchEl = document.getElementById('host-search') as HTMLInputElement;
  const orderEl = document.getElementById('host-order') as HTMLSelectElement;
  const countEl = document.getElementById('host-count')!;

  const render = () => {
    const started = performance.now();
    const openByHost = new Map<string, number>();
    for (const a of ctx.store.incidents.ordered())
      if (a.status === 'open') openByHost.set(a.host, (openByHost.get(a.host) ?? 0) + 1);
    const last = (b: SeriesBuffer) => (b.ts.length ? b.ts[b.ts.length - 1]! * 1000 : 0);
    const latest = (b: SeriesBuffer) => (b.values.length ? b.values[b.values.length - 1] : undefined);
    const tiles: HostTile[] = [];
    for (const [host, h] of ctx.store.headline)
      tiles.push({
        host,
        lastSeen: Math.max(last(h.cpu), last(h.memory)),
        cpu: latest(h.cpu),
        memory: latest(h.memory),
        openIncidents: openByHost.get(host) ?? 0,
      });
    const shown = visibleTiles(tiles, searchEl.value, orderEl.value as TileOrder);
    countEl.textContent =
      shown.length === tiles.length ? `${tiles.length}` : `${shown.length} of ${tiles.length}`;
    const now = Date.now();
    const pct = (v?: number) => (v === undefined ? '–' : `${(v * 100).toFixed(0)}%`);
    tilesEl.replaceChildren(
      ...shown.map((t) => {
        const age = now - t.lastSeen;
        const li = el('li', { title: `${t.host}: last sample ${Math.round(age / 1000)} s ago` });
        li.dataset.host = t.host;
        li.dataset.freshness = freshness(age);
        li.tabIndex = 0;
        li.setAttribute('role', 'link');
        if (t.openIncidents) li.append(el('span', { className: 'badge', text: `${t.openIncidents} ⚠` }));
        const h = ctx.store.headline.get(t.host);
        li.append(
          el('span', { className: 'name', text: t.host }),
          el('span', { className: 'figures', text: `CPU ${pct(t.cpu)} · mem ${pct(t.memory)}` }),
          sparkline(h?.cpu, 'cpu'),
          sparkline(h?.memory, 'memory'),
        );
        return li;
      }),
    );
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
    hide: () => tilesEl.replaceChildren(),
    tick: render,
    incidents: render,
  };
}
