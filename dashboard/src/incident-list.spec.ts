import { filterIncidents, IncidentList, markersFor, type Incident } from './incident-list';

const incident = (id: string, over: Partial<Incident> = {}): Incident => ({
  id,
  status: 'open',
  version: 1,
  host: 'h',
  metric: 'system.cpu.utilization',
  started_at: 1000,
  ended_at: null,
  score: 0.9,
  severity: 'critical',
  reason: 'r',
  ...over,
});

describe('incident list', () => {
  it('keeps the latest version of each incident, open ones first, newest first', () => {
    const list = new IncidentList(10);
    expect(list.merge([incident('a', { started_at: 1 }), incident('b', { started_at: 2 })])).toBe(true);
    expect(list.merge([incident('a', { version: 2, status: 'closed', started_at: 1 })])).toBe(true);
    expect(list.merge([incident('a', { version: 1, started_at: 1 })])).toBe(false); // stale state
    expect(list.ordered().map((a) => `${a.id}:${a.status}`)).toEqual(['b:open', 'a:closed']);
    expect(list.open).toBe(1);
  });

  it('holds at most its limit, dropping the oldest started', () => {
    const list = new IncidentList(2);
    list.merge([1, 2, 3].map((i) => incident(`i${i}`, { started_at: i })));
    expect(list.ordered().map((a) => a.id)).toEqual(['i3', 'i2']);
  });
});

describe('incident filters and chart markers', () => {
  const base = { version: 1, score: 0.9, ended_at: null } as const;
  const list: Incident[] = [
    {
      ...base,
      id: '1',
      status: 'open',
      severity: 'critical',
      host: 'web-1',
      metric: 'system.cpu.utilization',
      started_at: 1000,
      reason: 'CPU spike',
    },
    {
      ...base,
      id: '2',
      status: 'closed',
      severity: 'warning',
      host: 'db-1',
      metric: 'system.memory.utilization',
      started_at: 2000,
      ended_at: 3000,
      reason: 'memory drift',
    },
  ];

  it('filters by status, severity and text in host, metric or reason', () => {
    const all = { status: 'all', severity: 'all', text: '' } as const;
    expect(filterIncidents(list, all)).toHaveLength(2);
    expect(filterIncidents(list, { ...all, status: 'open' }).map((a) => a.id)).toEqual(['1']);
    expect(filterIncidents(list, { ...all, severity: 'warning' }).map((a) => a.id)).toEqual(['2']);
    expect(filterIncidents(list, { ...all, text: ' DRIFT' }).map((a) => a.id)).toEqual(['2']);
  });

  it('marks the incidents of the chart’s host and metrics that overlap its time range', () => {
    const cpu = (m: string) => m === 'system.cpu.utilization';
    expect(markersFor(list, 'web-1', cpu, 0, 5000).map((a) => a.id)).toEqual(['1']);
    expect(markersFor(list, 'web-1', cpu, 0, 500)).toEqual([]);
    expect(markersFor(list, 'db-1', () => true, 3500, 5000)).toEqual([]);
    expect(markersFor(list, 'db-1', () => true, 2500, 5000).map((a) => a.id)).toEqual(['2']);
  });
});
