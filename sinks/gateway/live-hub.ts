import type { WebSocket } from 'ws';
import { z } from 'zod';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { Sink } from '../../core/stream';
import type { Anomaly, MetricSample } from '../../schemas';

const subscribeMessage = z
  .object({
    type: z.literal('subscribe'),
    hosts: z.array(z.string().max(256)).max(1000).optional(),
    metrics: z.array(z.string().max(256)).max(1000).optional(),
  })
  .strict();

interface Client {
  ws: WebSocket;
  hosts?: Set<string>;
  metrics?: Set<string>;
  droppedInARow: number;
  alive: boolean;
  /** While the client is behind: the latest sample of each series it missed, sent when it catches up. */
  behind: Map<string, MetricSample>;
}

/** Series a slow client's catch-up message may hold; past it, samples of new series are dropped (counted). */
const MAX_CONFLATED_SERIES = 5000;

const seriesOf = (s: MetricSample) => `${s.host}\u0000${s.metric}\u0000${JSON.stringify(s.attributes)}`;

export interface LiveHubOptions {
  /** Bytes a client may have waiting in its socket before messages to it are dropped. */
  sendQueueBytes: number;
  /** Consecutive dropped messages after which a client is disconnected as too slow. */
  maxDroppedInARow: number;
  metrics: PipelineMetrics;
  logger: Logger;
}

export interface LiveHub {
  /** A new client: it gets the recent samples and incidents first, then everything live. */
  add(ws: WebSocket, snapshot: () => Promise<MetricSample[]>, incidents?: () => Promise<Anomaly[]>): void;
  readonly size: number;
  /** The hub as a pipeline sink: fan-out is best effort and resolves at once. */
  readonly sink: Sink<MetricSample>;
  /** Incident states, to every client whose host filter admits them; best effort like `sink`. */
  readonly anomalySink: Sink<Anomaly>;
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
      client.ws.send(JSON.stringify({ type: 'samples', samples, conflated: true }));
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
      const key = seriesOf(s);
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

  const wanted = (client: Client, samples: readonly MetricSample[]) =>
    !client.hosts && !client.metrics
      ? samples
      : samples.filter(
          (s) =>
            (!client.hosts || client.hosts.has(s.host)) && (!client.metrics || client.metrics.has(s.metric)),
        );

  const reply = (client: Client, body: object) => send(client, JSON.stringify(body));

  return {
    get size() {
      return clients.size;
    },
    add(ws, snapshot, incidents) {
      const client: Client = { ws, droppedInARow: 0, alive: true, behind: new Map() };
      clients.add(client);
      options.metrics.gatewayClients.set(clients.size);
      ws.on('pong', () => (client.alive = true));
      ws.on('close', () => {
        clients.delete(client);
        options.metrics.gatewayClients.set(clients.size);
      });
      ws.on('message', (data, isBinary) => {
        let parsed: unknown;
        try {
          parsed = isBinary ? undefined : JSON.parse(data.toString());
        } catch {
          parsed = undefined;
        }
        const result = subscribeMessage.safeParse(parsed);
        if (!result.success) {
          reply(client, {
            type: 'error',
            reason: 'expected {"type":"subscribe","hosts"?:[...],"metrics"?:[...]}',
          });
          return;
        }
        client.hosts = result.data.hosts ? new Set(result.data.hosts) : undefined;
        client.metrics = result.data.metrics ? new Set(result.data.metrics) : undefined;
        reply(client, {
          type: 'subscribed',
          hosts: result.data.hosts ?? null,
          metrics: result.data.metrics ?? null,
        });
      });
      incidents?.()
        .then((anomalies) => {
          const mine = client.hosts ? anomalies.filter((a) => client.hosts!.has(a.host)) : anomalies;
          if (mine.length > 0) reply(client, { type: 'anomalies', anomalies: mine, snapshot: true });
        })
        .catch((err) => log.warn({ err }, 'incident snapshot query failed'));
      snapshot()
        .then((samples) => reply(client, { type: 'snapshot', samples: wanted(client, samples) }))
        .catch((err) => {
          log.warn({ err }, 'snapshot query failed');
          reply(client, { type: 'error', reason: 'history is unavailable right now; live updates continue' });
        });
    },
    sink: {
      name: 'gateway',
      async write(batch) {
        if (clients.size === 0 || batch.length === 0) return;
        let shared: string | undefined;
        for (const client of clients) {
          const samples = wanted(client, batch);
          if (samples.length === 0) continue;
          sendSamples(client, samples, () =>
            samples === batch
              ? (shared ??= JSON.stringify({ type: 'samples', samples }))
              : JSON.stringify({ type: 'samples', samples }),
          );
        }
      },
      close: async () => undefined,
    },
    anomalySink: {
      name: 'gateway-anomalies',
      async write(batch) {
        if (clients.size === 0 || batch.length === 0) return;
        for (const client of clients) {
          const anomalies = client.hosts ? batch.filter((a) => client.hosts!.has(a.host)) : batch;
          if (anomalies.length > 0) send(client, JSON.stringify({ type: 'anomalies', anomalies }));
        }
      },
      close: async () => undefined,
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
