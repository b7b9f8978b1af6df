import { summarize, type Stats } from './pipeline-stats';

const stats = (received: number, stored: number): Stats => ({
  tidewatch_events_received_total: {
    values: [
      { labels: { topic: 'tidewatch.metrics.v1' }, value: received },
      { labels: { topic: 'tidewatch.processes.v1' }, value: 10 },
    ],
  },
  tidewatch_events_written_total: {
    values: [
      { labels: { sink: 'clickhouse' }, value: stored },
      { labels: { sink: 'clickhouse-aggregates' }, value: 99 },
    ],
  },
  tidewatch_events_dropped_total: {
    values: [
      { labels: { reason: 'TW_ERR_INVALID_VALUE' }, value: 2 },
      { labels: { reason: 'TW_ERR_BAD_MAGIC' }, value: 1 },
    ],
  },
  tidewatch_sink_breaker_state: {
    values: [
      { labels: { sink: 'clickhouse' }, value: 2 },
      { labels: { sink: 'dlq' }, value: 0 },
    ],
  },
  tidewatch_dedupe_hits_total: { values: [{ labels: {}, value: 4 }] },
  tidewatch_gateway_clients: { values: [{ labels: {}, value: 3 }] },
  tidewatch_consumer_lag: {
    values: [
      { labels: { group: 'p', topic: 'm', partition: '0' }, value: 5 },
      { labels: { group: 'p', topic: 'm', partition: '1' }, value: 50 },
    ],
  },
  tidewatch_source_in_flight_events: { values: [{ labels: { group: 'p' }, value: 1200 }] },
  tidewatch_source_backpressure: { values: [{ labels: { group: 'p' }, value: 1 }] },
});

describe('summarize', () => {
  it('adds up counters across labels, keeps drops by reason and breaker states by sink', () => {
    expect(summarize(stats(100, 80))).toEqual({
      received: 110,
      stored: 80,
      dropped: { TW_ERR_INVALID_VALUE: 2, TW_ERR_BAD_MAGIC: 1 },
      dedupeHits: 4,
      lateEvents: 0,
      breakers: { clickhouse: 'open', dlq: 'closed' },
      wsClients: 3,
      lag: [
        { group: 'p', topic: 'm', partition: '1', lag: 50 },
        { group: 'p', topic: 'm', partition: '0', lag: 5 },
      ],
      sources: [{ group: 'p', inFlight: 1200, holding: true }],
    });
  });

  it('derives rates from the previous reading', () => {
    const first = summarize(stats(100, 80));
    const second = summarize(stats(300, 180), { at: 1000, summary: first }, 3000);
    expect(second.inPerSec).toBe(100);
    expect(second.storedPerSec).toBe(50);
  });
});
