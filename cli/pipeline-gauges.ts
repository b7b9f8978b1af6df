import type { Admin } from 'kafkajs';
import { consumerLag } from '../core/kafka';
import type { Logger } from '../core/logger';
import type { PipelineMetrics } from '../core/metrics';
import type { InFlightBudget } from '../processors/sources/in-flight-budget';

/** A consumer group this instance runs, and what the gauges read from it. */
export interface WatchedGroup {
  groupId: string;
  topics: string[];
  budget: InFlightBudget;
}

/**
 * Samples each group's lag per partition, in-flight events and backpressure into the metrics
 * every `intervalMs` (one round at a time; a failed round is logged at debug and retried next
 * time). Returns a stop function.
 */
export function samplePipelineGauges(
  admin: () => Promise<Admin>,
  groups: WatchedGroup[],
  metrics: PipelineMetrics,
  logger: Logger,
  intervalMs = 5000,
): () => void {
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      for (const g of groups) {
        metrics.sourceInFlight.set({ group: g.groupId }, g.budget.usage.events);
        metrics.sourceHolding.set({ group: g.groupId }, g.budget.holding ? 1 : 0);
      }
      const client = await admin();
      for (const g of groups)
        for (const p of await consumerLag(client, g.groupId, g.topics))
          metrics.consumerLag.set(
            { group: g.groupId, topic: p.topic, partition: String(p.partition) },
            p.lag,
          );
    } catch (err) {
      logger.debug({ err }, 'pipeline gauges: Kafka did not answer; next round retries');
    } finally {
      running = false;
    }
  };
  void round();
  const timer = setInterval(() => void round(), intervalMs);
  return () => clearInterval(timer);
}
