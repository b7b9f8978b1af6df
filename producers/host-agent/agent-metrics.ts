import http from 'node:http';
import { Counter, Gauge, Registry } from 'prom-client';
import type { AgentStatus } from './agent-status';

/**
 * The agent's Prometheus metrics, read from its status at scrape time (no second set of counters to
 * keep in step). Collector failures keep their own labelled counter.
 */
export function agentMetrics(registry: Registry, status: () => AgentStatus) {
  const registers = [registry];
  const fromStatus = (
    name: string,
    help: string,
    read: (s: AgentStatus) => number,
    kind: 'counter' | 'gauge',
  ) => {
    const Metric = kind === 'counter' ? Counter : Gauge;
    new Metric({
      name,
      help,
      registers,
      collect(this: Counter | Gauge) {
        const value = read(status());
        if (this instanceof Counter) {
          this.reset();
          this.inc(value);
        } else this.set(value);
      },
    });
  };
  fromStatus(
    'tidewatch_agent_records_emitted_total',
    'Records the agent gave an event id (samples and process records)',
    (s) => s.emitted,
    'counter',
  );
  fromStatus('tidewatch_agent_records_sent_total', 'Records Kafka acknowledged', (s) => s.sent, 'counter');
  fromStatus(
    'tidewatch_agent_records_spooled_total',
    'Records written to the on-disk spool',
    (s) => s.spooled,
    'counter',
  );
  fromStatus(
    'tidewatch_agent_records_dropped_total',
    'Spooled records dropped because the spool was full',
    (s) => s.dropped,
    'counter',
  );
  fromStatus(
    'tidewatch_agent_spool_corrupt_records_total',
    'Damaged spool records skipped',
    (s) => s.corrupt,
    'counter',
  );
  fromStatus('tidewatch_agent_spool_bytes', 'Bytes the spool takes on disk', (s) => s.spoolBytes, 'gauge');
  fromStatus('tidewatch_agent_spool_records', 'Records waiting in the spool', (s) => s.spoolRecords, 'gauge');
  fromStatus(
    'tidewatch_agent_kafka_up',
    '1 while the last send to Kafka succeeded',
    (s) => (s.link === 'up' ? 1 : 0),
    'gauge',
  );
  fromStatus(
    'tidewatch_agent_producer_recreations_total',
    'Kafka producers replaced after a failed send',
    (s) => s.producerRecreations,
    'counter',
  );
  fromStatus(
    'tidewatch_agent_process_events_dropped_total',
    'Process start/exit events over the per-scan limit',
    (s) => s.processEventsDropped,
    'counter',
  );
  return {
    collectorFailures: new Counter({
      name: 'tidewatch_agent_collector_failures_total',
      help: 'Collector runs skipped, by collector and reason (error, timeout, busy)',
      labelNames: ['collector', 'reason'] as const,
      registers,
    }),
  };
}

/** Serves GET /metrics from `registry` (the agent's optional Prometheus port); anything else is 404. */
export async function serveMetrics(registry: Registry, host: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}
