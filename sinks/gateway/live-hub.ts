import type { WebSocket } from 'ws';
import { systemClock, type Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { LiveOutlet } from '../../core/stream';
import { seriesKey } from '../../processors/stages/series-key';
import type { Anomaly, MetricAggregate, MetricSample } from '../../schemas';
import {
  admitted,
  defaultSubscription,
  subscribeMessage,
  subscriptionFrom,
  SUBSCRIBE_USAGE,
  type StreamName,
  type Subscription,
} from './subscription';

interface Client {
  ws: WebSocket;
  sub: Subscription;
  droppedInARow: number;
  alive: boolean;
  /** While the client is behind: the latest sample of each series it missed, sent when it catches up. */
  behind: Map<string, MetricSample>;
  /** Messages received from it in the current minute, and when that minute started. */
  received: number;
  minuteStart: number;
}

/** Series a slow client's catch-up message may hold; past it, samples of new series are dropped (counted). */
const MAX_CONFLATED_SERIES = 5000;

export interface LiveHubOptions {
  /** Bytes a client may have waiting in its socket before messages to it are dropped. */
  sendQueueBytes: number;
  /** Consecutive dropped messages after which a client is disconnected as too slow. */
  maxDroppedInARow: number;
  /** Messages a client may send per minute; past it they are refused with an error (counted). */
  maxMessagesPerMinute?: number;
  metrics: PipelineMetrics;
  logger: Logger;
  clock?: Clock;
}

export interface LiveHub extends LiveOutlet<MetricSample, MetricAggregate, Anomaly> {
  /** A new client: it gets the recent samples and incidents first, then everything live. */
  add(ws: WebSocket, snapshot: () => Promise<MetricSample[]>, incidents?: () => Promise<Anomaly[]>): void;
  readonly size: number;
  /** True when some client subscribed to `stream` (the gateway builds pipeline health only then). */
  wants(stream: StreamName): boolean;
  /** The pipeline's health, to the clients subscribed to it. */
  pipeline(stats: object): void;
  /** Pings every client; one that did not answer the previous ping is terminated. */
  heartbeat(): void;
  closeAll(code: number, reason: string): void;
}

/**
 * The WebSocket clients and what each wants. Every send is bounded: a client whose socket buffer
 * is over the limit gets conflated samples (the latest per series, once it drains) and misses
 * other messages (counted); one that stays behind is disconnected, so a slow reader never grows
 * the gateway's memory beyond one sample per series it watches.
 */
export function liveHub(options: LiveHubOptions): LiveHub {
  const clients = new Set<Client>();
  const log = options.logger.child({ component: 'gateway', part: 'live-hub' });
  const dropped = options.metrics.gatewayMessagesDropped;
  const now = options.clock ?? systemClock;
  const maxPerMinute = options.maxMessagesPerMinute ?? 60;

  /**
   * True when the client's socket can take a message now, after first sending it the samples it
   * missed while behind; false while it is behind (counted; disconnected if it stays behind).
   */
  const drained = (client: Client) => {
    if (client.ws.readyState !== client.ws.OPEN) return false;
    if (client.ws.bufferedAmount > options.sendQueueBytes) {
      if (++client.droppedInARow >= options.maxDroppedInARow) {
        dropped.inc({ reason: 'slow_client_disconnected' });
        client.ws.terminate();
      }
      return false;
    }
    client.droppedInARow = 0;
    if (client.behind.size > 0) {
      const samples = [...client.behind.values()];
      client.behind.clear();
      client.ws.send(JSON.stringify({ type: 'samples', at: now(), samples, conflated: true }));
    }
    return true;
  };

  const send = (client: Client, message: string) => {
    if (drained(client)) client.ws.send(message);
    else dropped.inc({ reason: 'slow_client' });
  };

  /**
   * Samples for a client that is behind are conflated, not queued: it keeps the latest value of
   * each series and gets them in one message once its socket drains, so its memory here is
   * bounded by its series, and a chart shows the newest values rather than a backlog.
   */
  const sendSamples = (client: Client, samples: readonly MetricSample[], message: () => string) => {
    if (drained(client)) return client.ws.send(message());
    if (client.ws.readyState !== client.ws.OPEN) return;
    let superseded = 0;
    let lost = 0;
    for (const s of samples) {
      const key = seriesKey(s);
      if (client.behind.has(key)) superseded++;
      else if (client.behind.size >= MAX_CONFLATED_SERIES) {
        lost++;
        continue;
      }
      client.behind.set(key, s);
    }
    if (superseded) dropped.inc({ reason: 'conflated' }, superseded);
    if (lost) dropped.inc({ reason: 'slow_client' }, lost);
  };

  const reply = (client: Client, body: object) => send(client, JSON.stringify(body));

  /**
   * Sends `type` with each subscribed client's share of `batch`, serialising a shared share once.
   * Each message carries when the gateway sent it (`at`, epoch ms), so a client can tell the time
   * to the gateway (`at` − event time) from its own transit.
   */
  const fanOut = <T extends { host: string; metric?: string }>(
    stream: StreamName,
    batch: readonly T[],
    deliver: (client: Client, items: readonly T[], message: () => string) => void,
  ) => {
    if (clients.size === 0 || batch.length === 0) return;
    let shared: string | undefined;
    const at = now();
    for (const client of clients) {
      if (!client.sub.streams.has(stream)) continue;
      const items = admitted(client.sub, batch);
      if (items.length === 0) continue;
      const message = () => JSON.stringify({ type: stream, at, [stream]: items });
      deliver(client, items, items === batch ? () => (shared ??= message()) : message);
    }
  };

  /** Counts the client's message; false (answered once with an error) past its per-minute allowance. */
  const withinAllowance = (client: Client) => {
    const t = now();
    if (t - client.minuteStart >= 60_000) {
      client.minuteStart = t;
      client.received = 0;
    }
    if (++client.received <= maxPerMinute) return true;
    options.metrics.gatewayRequestsRefused.inc({ reason: 'client_message_rate' });
    if (client.received === maxPerMinute + 1)
      reply(client, {
        type: 'error',
        reason: `at most ${maxPerMinute} messages a minute; ignored until then`,
      });
    return false;
  };

  const onMessage = (client: Client, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    if (!withinAllowance(client)) return;
    let parsed: unknown;
    try {
      parsed = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      parsed = undefined;
    }
    const result = subscribeMessage.safeParse(parsed);
    if (!result.success) return reply(client, { type: 'error', reason: SUBSCRIBE_USAGE });
    client.sub = subscriptionFrom(result.data);
    reply(client, {
      type: 'subscribed',
      streams: [...client.sub.streams],
      hosts: result.data.hosts ?? null,
      metrics: result.data.metrics ?? null,
    });
  };

  return {
    get size() {
      return clients.size;
    },
    add(ws, snapshot, incidents) {
      const client: Client = {
        ws,
        sub: defaultSubscription(),
        droppedInARow: 0,
        alive: true,
        behind: new Map(),
        received: 0,
        minuteStart: now(),
      };
      clients.add(client);
      options.metrics.gatewayClients.set(clients.size);
      ws.on('pong', () => (client.alive = true));
      ws.on('close', () => {
        clients.delete(client);
        options.metrics.gatewayClients.set(clients.size);
      });
      // Nothing a client sends may throw out of a socket handler (that would end the process).
      ws.on('message', (data, isBinary) => {
        try {
          onMessage(client, data, isBinary);
        } catch (err) {
          log.error({ err }, 'client message failed');
          options.metrics.gatewayRequestsRefused.inc({ reason: 'message_failed' });
          ws.close(1011, 'internal error');
        }
      });
      // A protocol error (an oversize or malformed frame): ws closes the socket with the right code.
      ws.on('error', (err) => {
        options.metrics.gatewayRequestsRefused.inc({ reason: 'protocol_error' });
        log.debug({ err: String(err?.message) }, 'client protocol error');
      });
      incidents?.()
        .then((anomalies) => {
          if (!client.sub.streams.has('anomalies')) return;
          const mine = admitted(client.sub, anomalies);
          if (mine.length > 0) reply(client, { type: 'anomalies', anomalies: mine, snapshot: true });
        })
        .catch((err) => log.warn({ err }, 'incident snapshot query failed'));
      snapshot()
        .then((samples) => reply(client, { type: 'snapshot', samples: admitted(client.sub, samples) }))
        .catch((err) => {
          log.warn({ err }, 'snapshot query failed');
          reply(client, { type: 'error', reason: 'history is unavailable right now; live updates continue' });
        });
    },
    samples: (batch) => fanOut('samples', batch, sendSamples),
    aggregates: (batch) => fanOut('aggregates', batch, (c, _items, message) => send(c, message())),
    anomalies: (batch) => fanOut('anomalies', batch, (c, _items, message) => send(c, message())),
    wants(stream) {
      for (const client of clients) if (client.sub.streams.has(stream)) return true;
      return false;
    },
    pipeline(stats) {
      let message: string | undefined;
      for (const client of clients)
        if (client.sub.streams.has('pipeline'))
          send(client, (message ??= JSON.stringify({ type: 'pipeline', stats })));
    },
    heartbeat() {
      for (const client of clients) {
        if (!client.alive) {
          dropped.inc({ reason: 'dead_peer' });
          client.ws.terminate();
          continue;
        }
        client.alive = false;
        client.ws.ping();
        if (client.behind.size > 0) drained(client); // caught up since: deliver what it missed
      }
    },
    closeAll(code, reason) {
      for (const client of clients) client.ws.close(code, reason);
    },
  };
}
