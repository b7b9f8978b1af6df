import { $, el } from '../api';
import { filterIncidents, type IncidentFilter } from '../incident-list';
import { routeHash } from '../router';
import type { View, ViewContext } from './view';

/** The incident feed: open first, filters by status, severity and text, each linking to its moment. */
export function anomaliesView(ctx: ViewContext): View {
  const list = $<HTMLOListElement>('incidents');
  const status = $<HTMLSelectElement>('incident-status');
  const severity = $<HTMLSelectElement>('incident-severity');
  const search = $<HTMLInputElement>('incident-search');

  const render = () => {
    const all = ctx.store.incidents.ordered();
    const filter: IncidentFilter = {
      status: status.value as IncidentFilter['status'],
      severity: severity.value as IncidentFilter['severity'],
      text: search.value,
    };
    const shown = filterIncidents(all, filter);
    $('no-incidents').hidden = all.length > 0;
    $('incident-count').textContent = all.length
      ? `${ctx.store.incidents.open} open · ${shown.length} of ${all.length} shown`
      : '';
    list.replaceChildren(
      ...shown.map((a) => {
        const link = el('a', { className: 'reason', text: a.reason, title: `score ${a.score.toFixed(3)}` });
        link.href = routeHash({ view: 'host', host: a.host, at: a.started_at });
        const sev = el('span', { className: 'severity', text: a.status === 'open' ? a.severity : 'closed' });
        sev.dataset.severity = a.severity;
        const li = el(
          'li',
          {},
          el('span', { className: 'time', text: new Date(a.started_at).toLocaleString() }),
          sev,
          el('span', { className: 'host', text: a.host }),
          link,
          el('span', {
            className: 'ended muted',
            text: a.status === 'open' ? 'open' : `closed ${new Date(a.ended_at ?? 0).toLocaleTimeString()}`,
          }),
        );
        li.dataset.status = a.status;
        li.dataset.severity = a.severity;
        return li;
      }),
    );
  };
  for (const control of [status, severity]) control.addEventListener('change', render);
  search.addEventListener('input', render);

  return {
    name: 'anomalies',
    show: render,
    hide: () => list.replaceChildren(),
    tick: () => undefined,
    incidents: render,
  };
}
