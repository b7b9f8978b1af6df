import { $, api, el } from '../api';
import { timeChart, type TimeChart } from '../charts/time-chart';
import { toCsv } from '../csv';
import { chartable } from '../sql-chart';
import type { View, ViewContext } from './view';

interface QueryResult {
  columns: { name: string; type: string }[];
  rows: Record<string, unknown>[];
  rowCount: number;
  elapsedMs: number;
}

const EXAMPLE = `SELECT toStartOfMinute(ts) AS minute, host, avg(value) AS cpu
FROM tidewatch.metrics
WHERE metric = 'system.cpu.utilization' AND state = '' AND ts > now() - INTERVAL 15 MINUTE
GROUP BY minute, host ORDER BY minute`;

/** Read-only SQL against ClickHouse: a table, a chart when the result is a time series, CSV export. */
export function sqlView(_ctx: ViewContext): View {
  const input = $<HTMLTextAreaElement>('sql-query');
  const status = $('sql-status');
  const head = $<HTMLTableSectionElement>('sql-head');
  const body = $<HTMLTableSectionElement>('sql-body');
  const chartBox = $('sql-chart');
  const csvButton = $<HTMLButtonElement>('sql-csv');
  let result: QueryResult | undefined;
  let chart: TimeChart | undefined;
  if (!input.value) input.value = EXAMPLE;

  const draw = () => {
    chart?.destroy();
    chart = undefined;
    chartBox.hidden = true;
    if (!result) return;
    head.replaceChildren(
      el('tr', {}, ...result.columns.map((c) => el('th', { text: c.name, title: c.type }))),
    );
    body.replaceChildren(
      ...result.rows.slice(0, 1000).map((r) =>
        el(
          'tr',
          {},
          ...result!.columns.map((c) => {
            const v = r[c.name];
            return el('td', {
              text: v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v ?? ''),
            });
          }),
        ),
      ),
    );
    const data = chartable(result.columns, result.rows);
    if (data && data.x.length > 1) {
      chartBox.hidden = false;
      chart = timeChart(chartBox, 'number');
      chart.set(data.x, data.series, data.x[0]!, data.x[data.x.length - 1]!);
    }
  };

  const run = async () => {
    status.textContent = 'running…';
    status.dataset.state = 'running';
    try {
      result = await api<QueryResult>('/api/sql', { query: input.value });
      status.textContent = `${result.rowCount.toLocaleString()} rows in ${result.elapsedMs} ms${result.rows.length > 1000 ? ' (first 1,000 shown)' : ''}`;
      status.dataset.state = 'ok';
      csvButton.disabled = false;
      draw();
    } catch (err) {
      status.textContent = (err as Error).message;
      status.dataset.state = 'bad';
    }
  };

  $('sql-run').addEventListener('click', () => void run());
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      void run();
    }
  });
  csvButton.addEventListener('click', () => {
    if (!result) return;
    const blob = new Blob(
      [
        toCsv(
          result.columns.map((c) => c.name),
          result.rows,
        ),
      ],
      { type: 'text/csv' },
    );
    const a = el('a');
    a.href = URL.createObjectURL(blob);
    a.download = 'tidewatch-query.csv';
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 0);
  });

  return {
    name: 'sql',
    show: () => {
      draw();
      input.focus();
    },
    hide: () => {
      chart?.destroy();
      chart = undefined;
    },
    tick: () => undefined,
  };
}
