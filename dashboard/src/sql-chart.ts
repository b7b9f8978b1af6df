/** A console result as chart data: a time column (x, seconds) and every numeric column as a series. */
export interface ChartData {
  x: number[];
  series: { name: string; values: (number | null)[] }[];
}

const NUMERIC = /^(Nullable\()?(U?Int\d+|Float\d+|Decimal.*)\)?$/;
const TIME = /^(Nullable\()?(DateTime.*|Date32?)\)?$/;

const toSeconds = (v: unknown): number => {
  if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
  const text = String(v);
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2} \d/.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  return ms / 1000;
};

const TEXT = /^(Nullable\()?(LowCardinality\()?(String|FixedString.*|Enum.*)\)?\)?$/;
/** Most series a chart draws (groups × numeric columns); the rest are left out. */
export const MAX_CHART_SERIES = 24;

/**
 * The result as a time series when it has one: the first DateTime/Date column is time (ClickHouse
 * returns it as UTC text), and each numeric column a series, split by the first text column when
 * there is one (`… GROUP BY minute, host` draws a line per host); undefined when it has no time
 * or no number. Points are aligned on the sorted distinct times, null where a series has none.
 */
export function chartable(
  columns: readonly { name: string; type: string }[],
  rows: readonly Record<string, unknown>[],
): ChartData | undefined {
  const time = columns.find((c) => TIME.test(c.type));
  const numeric = columns.filter((c) => c !== time && NUMERIC.test(c.type));
  if (!time || numeric.length === 0 || rows.length === 0) return undefined;
  const sorted = rows
    .map((r) => ({ t: toSeconds(r[time.name]), r }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  const group = columns.find((c) => TEXT.test(c.type));
  const x = [...new Set(sorted.map((p) => p.t))];
  const index = new Map(x.map((t, i) => [t, i]));
  const series = new Map<string, (number | null)[]>();
  for (const { t, r } of sorted)
    for (const c of numeric) {
      const name = group ? `${String(r[group.name])} ${c.name}` : c.name;
      let values = series.get(name);
      if (!values) {
        if (series.size >= MAX_CHART_SERIES) continue;
        series.set(name, (values = new Array<number | null>(x.length).fill(null)));
      }
      const v = Number(r[c.name]);
      values[index.get(t)!] = r[c.name] === null || !Number.isFinite(v) ? null : v;
    }
  return { x, series: [...series].map(([name, values]) => ({ name, values })) };
}
