import type { Clock } from '../../core/clock';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { Sink } from '../../core/stream';
import type { MetricSample } from '../../schemas';
import type { Measurement } from './measurement';
import { sampleStamper } from './sample-stamper';

export interface HostAgentOptions {
  host: string;
  intervalMs: number;
  collect: () => Promise<Measurement[]>;
  publisher: Sink<MetricSample>;
  clock: Clock;
  logger: Logger;
  metrics: PipelineMetrics;
  /** Samples kept for re-sending while Kafka is away; past it the oldest are dropped (counted). */
  maxPending?: number;
}

export interface HostAgent {
  /** One collection and publish; also what the interval runs. */
  tick(): Promise<void>;
  start(): void;
  /** Stops the interval and makes one last attempt to publish what is pending. */
  stop(): Promise<void>;
  readonly status: { sent: number; pending: number; dropped: number; lastError?: string };
}

export function hostAgent(options: HostAgentOptions): HostAgent {
  const log = options.logger.child({ component: 'agent' });
  const stamp = sampleStamper(options.host, options.clock());
  const maxPending = options.maxPending ?? 50_000;
  let pending: MetricSample[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const status: HostAgent['status'] = { sent: 0, pending: 0, dropped: 0 };

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending; // ticks are serialized: nothing adds to `pending` while this write runs
    try {
      await options.publisher.write(batch);
      pending = [];
      status.sent += batch.length;
      options.metrics.agentSamplesSent.inc(batch.length);
      status.lastError = undefined;
    } catch (err) {
      status.lastError = errorMessage(err);
      log.warn(
        { err: status.lastError, pending: pending.length },
        'publish failed; will retry next interval',
      );
    } finally {
      status.pending = pending.length;
    }
  };

  const tick = async () => {
    try {
      pending.push(...stamp(await options.collect(), options.clock()));
    } catch (err) {
      log.warn({ err: errorMessage(err) }, 'collection failed');
    }
    const excess = pending.length - maxPending;
    if (excess > 0) {
      pending = pending.slice(excess);
      status.dropped += excess;
      options.metrics.eventsDropped.inc({ reason: 'agent_pending_full' }, excess);
    }
    await flush();
  };

  return {
    tick,
    status,
    start() {
      const run = () => {
        inFlight = inFlight.then(tick);
      };
      run();
      timer = setInterval(run, options.intervalMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await inFlight;
      await flush();
    },
  };
}
