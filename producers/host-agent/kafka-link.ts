import { CompressionTypes, type Producer } from 'kafkajs';
import { errorMessage } from '../../core/errors';
import { groupedLinearly } from '../../core/kafka/partition-grouping';
import type { Outgoing } from './spool/outgoing';

/**
 * Protocol errors after which an idempotent producer cannot go on (its sequence or epoch no longer
 * matches the broker's, typically after the broker lost state): the producer must be replaced.
 */
const FATAL = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
  'PRODUCER_FENCED',
  'INVALID_PRODUCER_ID_MAPPING',
]);

export const isFatalProducerError = (err: unknown): boolean => {
  for (
    let e = err as { type?: string; name?: string; cause?: unknown } | undefined;
    e;
    e = e.cause as typeof e
  ) {
    if ((e.type && FATAL.has(e.type)) || e.name === 'KafkaJSNonRetriableError') return true;
  }
  return false;
};

export interface KafkaLinkOptions {
  /** Makes a new (idempotent, acks=all) producer; called again whenever the last one had to go. */
  createProducer: () => Producer;
  /** A send not acknowledged by then counts as failed (the records go to the spool). */
  sendTimeoutMs: number;
  onRecreate?: (reason: string) => void;
}

/**
 * The agent's connection to Kafka: one producer, connected lazily, replaced after a fatal error or
 * a send that failed or timed out (a producer that lost its broker mid-request may hold stale
 * sequence numbers; a fresh one costs a reconnect). Records are grouped by topic into one request,
 * gzip-compressed, acks from all in-sync replicas.
 */
export class KafkaLink {
  private producer: Producer | undefined;
  private connected: Promise<void> | undefined;

  constructor(private readonly o: KafkaLinkOptions) {}

  async send(batch: readonly Outgoing[]): Promise<void> {
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const m of batch) {
      const list = byTopic.get(m.topic) ?? [];
      list.push({ key: m.key, value: m.value });
      byTopic.set(m.topic, list);
    }
    const producer = this.current();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no acknowledgement from Kafka within ${this.o.sendTimeoutMs} ms`)),
        this.o.sendTimeoutMs,
      );
    });
    try {
      await Promise.race([
        (async () => {
          await this.connected;
          await producer.sendBatch({
            acks: -1,
            compression: CompressionTypes.GZIP,
            topicMessages: [...byTopic].map(([topic, messages]) => ({
              topic,
              messages: groupedLinearly(messages),
            })),
          });
        })(),
        timeout,
      ]);
    } catch (err) {
      this.replace(producer, isFatalProducerError(err) ? `fatal: ${errorMessage(err)}` : errorMessage(err));
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }

  private current(): Producer {
    if (!this.producer) {
      const producer = this.o.createProducer();
      this.producer = producer;
      this.connected = producer.connect();
      // A failed connect surfaces through the send that awaits it; this only avoids an unhandled rejection.
      this.connected.catch(() => undefined);
    }
    return this.producer;
  }

  private replace(producer: Producer, reason: string): void {
    if (this.producer !== producer) return;
    this.producer = undefined;
    this.connected = undefined;
    producer.disconnect().catch(() => undefined);
    this.o.onRecreate?.(reason);
  }
}
