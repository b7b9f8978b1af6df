import { $, api, el } from '../api';
import { summarize, type PipelineSummary, type Stats } from '../pipeline-stats';
import type { View, ViewContext } from './view';

interface AgentSpool {
  host: string;
  spool_records: number;
  spool_bytes: number;
  reported_at: number;
}

const count = (n: number) => Math.round(n).toLocaleString();

/** Throughput, drops, sinks, lag per partition, backpressure and every agent's spool, every 4 s. */
export function pipelineView(ctx: ViewContext): View {
  let last: { at: number; summary: PipelineSummary } | undefined;
  let loading = false;

  const rows = (id: string, cells: string[][], empty: string) => {
    const body = $<HTMLTableSectionElement>(id);
    body.replaceChildren(
      ...(cells.length
        ? cells.map((r) => el('tr', {}, ...r.map((c, i) => el('td', { className: i ? 'num' : '', text: c }))))
        : [el('tr', {}, el('td', { className: 'muted', text: empty }))]),
    );
  };

  const load = async () => {
    if (loading) return;
    loading = true;
    try {
      const body = await api<{ stats: Stats; agents: AgentSpool[] }>('/api/pipeline/stats');
      const at = Date.now();
      const s = summarize(body.stats, last, at);
      last = { at, summary: s };
      const rate = (n?: number) => (n === undefined ? '…' : `${count(n)}/s`);
      const dropped = Object.values(s.dropped).reduce((n, v) => n + v, 0);
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
      const holding = s.sources.filter((g) => g.holding);
      const bp = $('p-backpressure');
      bp.textContent = holding.length ? `holding: ${holding.map((g) => g.group).join(', ')}` : 'flowing';
      bp.dataset.state = holding.length ? 'bad' : 'ok';
      bp.title = s.sources.map((g) => `${g.group}: ${count(g.inFlight)} events in flight`).join('\n');
      rows(
        'lag-body',
        s.lag.map((l) => [`${l.group} · ${l.topic} [${l.partition}]`, count(l.lag)]),
        'no lag reported yet',
      );
      rows(
        'spool-body',
        body.agents.map((a) => [
          a.host,
          count(a.spool_records),
          `${Math.round((Date.now() - a.reported_at) / 1000)} s ago`,
        ]),
        'no agent has reported its spool in the last 15 minutes',
      );
      ctx.problem('pipeline', undefined);
    } catch (err) {
      ctx.problem('pipeline', `Pipeline figures unavailable: ${(err as Error).message}`, () => void load());
    } finally {
      loading = false;
    }
  };

  return {
    name: 'pipeline',
    show: () => void load(),
    hide: () => undefined,
    tick: (ticks) => {
      if (ticks % 2 === 0) void load();
    },
  };
}
