import { z } from 'zod';

/** What a WebSocket client can subscribe to. */
export const STREAMS = ['samples', 'aggregates', 'anomalies', 'pipeline'] as const;
export type StreamName = (typeof STREAMS)[number];

/** Streams a client gets before it sends a subscription of its own. */
export const DEFAULT_STREAMS: readonly StreamName[] = ['samples', 'anomalies'];

const names = z.array(z.string().min(1).max(256)).max(1000);

export const subscribeMessage = z
  .object({
    type: z.literal('subscribe'),
    streams: z.array(z.enum(STREAMS)).max(STREAMS.length).optional(),
    hosts: names.optional(),
    metrics: names.optional(),
  })
  .strict();

export const SUBSCRIBE_USAGE =
  'expected {"type":"subscribe","streams"?:["samples"|"aggregates"|"anomalies"|"pipeline"],"hosts"?:[...],"metrics"?:[...]}';

/** One client's filters: a missing host or metric list admits everything. */
export interface Subscription {
  streams: ReadonlySet<StreamName>;
  hosts?: ReadonlySet<string>;
  metrics?: ReadonlySet<string>;
}

export const defaultSubscription = (): Subscription => ({ streams: new Set(DEFAULT_STREAMS) });

export function subscriptionFrom(message: z.infer<typeof subscribeMessage>): Subscription {
  return {
    streams: new Set(message.streams ?? DEFAULT_STREAMS),
    hosts: message.hosts ? new Set(message.hosts) : undefined,
    metrics: message.metrics ? new Set(message.metrics) : undefined,
  };
}

/** The items of `batch` this subscription admits; `batch` itself when it admits all of them. */
export function admitted<T extends { host: string; metric?: string }>(
  sub: Subscription,
  batch: readonly T[],
): readonly T[] {
  const { hosts, metrics } = sub;
  if (!hosts && !metrics) return batch;
  return batch.filter(
    (x) => (!hosts || hosts.has(x.host)) && (!metrics || x.metric === undefined || metrics.has(x.metric)),
  );
}
