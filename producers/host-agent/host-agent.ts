import type { Clock } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { MetricSample, ProcessEvent } from '../../schemas';
import type { AgentStatus } from './agent-status';
import type { Collection } from './collection';
import type { Delivery } from './delivery';
import { eventIds } from './event-ids';
import type { Measurement } from './measurement';
import type { RecordEncoders } from './record-encoders';
import type { Outgoing } from './spool/outgoing';
import type { Spool } from './spool/spool';

export interface HostAgentOptions {
  host: string;
  /** The host's labels (agent.labels), sent with every sample. */
  labels?: Readonly<Record<string, string>>;
  intervalMs: number;
  collection: Collection;
  encoders: RecordEncoders;
  topics: { metrics: string; processes: string };
  delivery: Delivery;
  spool: Spool;
  clock: Clock;
  logger: Logger;
  statusLogIntervalMs: number;
  /** Counts kept by the parts around the agent (producer, collectors), read into its status. */
  counts: () => Pick<AgentStatus, 'producerRecreations' | 'collectorFailures' | 'processEventsDropped'>;
}

/**
 * The agent's loop: every interval, run the due collectors, give each record its event id, add the
 * agent's own tidewatch.agent.* samples, encode once, and hand the batch to delivery (Kafka, or the
 * spool while Kafka is away). Ticks never overlap: a slow round delays the next one.
 */
export class HostAgent {
  private readonly ids: ReturnType<typeof eventIds>;
  readonly boot: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private lastStatusLog = 0;
  private cpu = process.cpuUsage();
  private cpuAt: number;
  private readonly log: Logger;
  private readonly labels: Record<string, string>;

  constructor(private readonly o: HostAgentOptions) {
    this.boot = o.clock();
    this.cpuAt = this.boot;
    this.ids = eventIds(o.host, this.boot);
    this.labels = Object.freeze({ ...o.labels }) as Record<string, string>;
    this.log = o.logger.child({ component: 'agent', host: o.host });
  }

  status(): AgentStatus {
    const d = this.o.delivery.status;
    return {
      host: this.o.host,
      boot: this.boot,
      emitted: this.ids.emitted,
      sent: d.sent,
      spooled: d.spooled,
      dropped: this.o.spool.counters.dropped,
      corrupt: this.o.spool.counters.corrupt,
      spoolBytes: this.o.spool.bytes,
      spoolRecords: this.o.spool.pending,
      link: d.link,
      ...this.o.counts(),
      lastError: d.lastError,
    };
  }

  /** One round: collect, stamp, encode, deliver. */
  async tick(): Promise<void> {
    const now = this.o.clock();
    const round = await this.o.collection.run(now);
    const measurements = [...round.samples, ...this.selfMeasurements(now)];
    const batch: Outgoing[] = [];
    for (const m of measurements) {
      const sample: MetricSample = {
        event_id: this.ids.next(),
        host: this.o.host,
        ts: now,
        metric: m.metric,
        value: m.value,
        unit: m.unit,
        attributes: m.attributes ?? {},
        labels: this.labels,
      };
      batch.push({ topic: this.o.topics.metrics, key: this.o.host, value: this.o.encoders.sample(sample) });
    }
    for (const p of round.processes) {
      const event: ProcessEvent = { ...p, event_id: this.ids.next(), host: this.o.host, ts: now };
      batch.push({ topic: this.o.topics.processes, key: this.o.host, value: this.o.encoders.process(event) });
    }
    this.o.delivery.deliver(batch);
    if (now - this.lastStatusLog >= this.o.statusLogIntervalMs) {
      this.lastStatusLog = now;
      this.log.info(this.status(), 'agent status');
    }
  }

  start(): void {
    this.o.delivery.start();
    const run = () => {
      this.running = this.running
        .then(() => this.tick())
        .catch((err) => this.log.error({ err: errorMessage(err) }, 'collection round failed'));
    };
    run();
    this.timer = setInterval(run, this.o.intervalMs);
  }

  /** Stops collecting, lets sends in flight finish (what is not sent stays in the spool) and logs the final status. */
  async stop(): Promise<AgentStatus> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.o.delivery.stop();
    this.o.spool.close();
    const status = this.status();
    this.log.info(status, 'agent stopped');
    return status;
  }

  private selfMeasurements(now: number): Measurement[] {
    const s = this.status();
    const cpu = process.cpuUsage(this.cpu);
    const seconds = (now - this.cpuAt) / 1000;
    this.cpu = process.cpuUsage();
    this.cpuAt = now;
    const records = (metric: string, value: number): Measurement => ({ metric, value, unit: '{record}' });
    const out: Measurement[] = [
      records('tidewatch.agent.records.emitted', s.emitted),
      records('tidewatch.agent.records.sent', s.sent),
      records('tidewatch.agent.records.spooled', s.spooled),
      records('tidewatch.agent.records.dropped', s.dropped),
      records('tidewatch.agent.spool.records', s.spoolRecords),
      { metric: 'tidewatch.agent.spool.usage', value: s.spoolBytes, unit: 'By' },
      { metric: 'tidewatch.agent.memory.rss', value: process.memoryUsage.rss(), unit: 'By' },
    ];
    if (seconds > 0) {
      out.push({
        metric: 'tidewatch.agent.cpu.utilization',
        value: (cpu.user + cpu.system) / 1e6 / seconds,
        unit: '1',
      });
    }
    return out;
  }
}
