import { IncidentList, type Incident } from './incident-list';

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
