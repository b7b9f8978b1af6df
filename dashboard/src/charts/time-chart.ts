import uPlot from 'uplot';
import { formatValue, type Unit } from './format';

export interface ChartSeries {
  name: string;
  /** Aligned with the chart's x (seconds); null where the series has no point. */
  values: (number | null)[];
}

export interface ChartMarker {
  /** Epoch seconds. */
  t: number;
  title: string;
  severity: string;
  id: string;
}

export interface TimeChart {
  set(x: number[], series: ChartSeries[], fromS: number, toS: number): void;
  /** Vertical marks (incidents) with their reason on hover. */
  mark(markers: ChartMarker[]): void;
  resize(): void;
  destroy(): void;
}

/** uPlot instances alive on the page (the soak benchmark reads it as `window.tidewatchCharts`). */
let alive = 0;
(globalThis as { tidewatchCharts?: () => number }).tidewatchCharts = () => alive;

const RANK: Record<string, number> = { linked: 3, critical: 2, warning: 1 };

/** Markers at the same second become one, listing every reason, shown with the most severe state. */
export function mergeCoincident(markers: readonly ChartMarker[]): ChartMarker[] {
  const bySecond = new Map<number, ChartMarker>();
  for (const m of markers) {
    const key = Math.round(m.t);
    const known = bySecond.get(key);
    if (!known) bySecond.set(key, { ...m });
    else {
      known.title += `\n${m.title}`;
      if ((RANK[m.severity] ?? 0) > (RANK[known.severity] ?? 0)) known.severity = m.severity;
    }
  }
  return [...bySecond.values()];
}

const PALETTE = ['#2f81f7', '#a371f7', '#3fb950', '#d29922', '#f85149', '#db61a2', '#39c5cf', '#8b949e'];

/**
 * A uPlot time chart that fits its container. uPlot fixes its series at construction, so a new
 * set of series names rebuilds it (destroying the old one); otherwise data is replaced in place.
 * Markers are absolutely placed elements over the plot, repositioned on every redraw.
 */
export function timeChart(
  container: HTMLElement,
  unit: Unit,
  options: { height?: number; yMax?: number } = {},
): TimeChart {
  const height = options.height ?? 220;
  let plot: uPlot | undefined;
  let names = '';
  let markers: ChartMarker[] = [];
  const layer = document.createElement('div');
  layer.className = 'markers';

  /** Marker elements by id, kept across redraws so a hovered one keeps its tooltip. */
  const placed = new Map<string, HTMLDivElement>();
  const placeMarkers = (u: uPlot) => {
    const min = u.scales.x?.min ?? 0;
    const max = u.scales.x?.max ?? 0;
    const visible = new Set<string>();
    for (const m of markers) {
      if (m.t < min || m.t > max) continue;
      visible.add(m.id);
      let mark = placed.get(m.id);
      if (!mark) {
        mark = document.createElement('div');
        mark.className = 'marker';
        mark.dataset.incident = m.id;
        mark.tabIndex = 0;
        placed.set(m.id, mark);
        layer.append(mark);
      }
      mark.dataset.severity = m.severity;
      mark.title = m.title;
      mark.setAttribute('aria-label', m.title);
      mark.style.left = `${u.valToPos(m.t, 'x')}px`;
    }
    for (const [id, mark] of placed)
      if (!visible.has(id)) {
        mark.remove();
        placed.delete(id);
      }
  };

  const build = (series: ChartSeries[], data: uPlot.AlignedData) => {
    if (plot) {
      plot.destroy();
      alive--;
    }
    alive++;
    plot = new uPlot(
      {
        width: container.clientWidth || 400,
        height,
        scales: {
          x: { time: true },
          y:
            options.yMax !== undefined ? { range: (_u, _min, max) => [0, Math.max(options.yMax!, max)] } : {},
        },
        axes: [{}, { values: (_u, ticks) => ticks.map((t) => formatValue(t, unit)), size: 70 }],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.name,
            stroke: PALETTE[i % PALETTE.length],
            width: 1.5,
            spanGaps: true,
            value: (_u: uPlot, v: number | null) => formatValue(v, unit),
          })),
        ],
        legend: { live: true },
        hooks: { draw: [placeMarkers] },
      },
      data,
      container,
    );
    plot.over.appendChild(layer);
  };

  return {
    set(x, series, fromS, toS) {
      const data = [x, ...series.map((s) => s.values)] as uPlot.AlignedData;
      const key = series.map((s) => s.name).join('\u0000');
      if (!plot || key !== names) {
        names = key;
        build(series, data);
      } else plot.setData(data, false);
      plot!.setScale('x', { min: fromS, max: toS });
      container.dataset.points = String(x.length);
      container.dataset.series = String(series.length);
    },
    mark(next) {
      markers = mergeCoincident(next);
      if (plot) placeMarkers(plot);
      container.dataset.markers = String(next.length);
    },
    resize() {
      plot?.setSize({ width: container.clientWidth, height });
    },
    destroy() {
      if (plot) {
        plot.destroy();
        alive--;
      }
      plot = undefined;
      names = '';
    },
  };
}
