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
}

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
 * is over the limit misses that message (counted), and one that keeps missing is disconnected,
 * so a slow reader never grows the gateway's memory.
 */
export function liveHub(options: LiveHubOptions): LiveHub {
  const clients = new Set<Client>();
  const log = options.logger.child({ component: 'gateway', part: 'live-hub' });
  const dropped = options.metrics.gatewayMessagesDropped;

  const send = (client: Client, message: string) => {
    if (client.ws.readyState !== client.ws.OPEN) return;
    if (client.ws.bufferedAmount > options.sendQueueBytes) {
      dropped.inc({ reason: 'slow_client' });
      if (++client.droppedInARow >= options.maxDroppedInARow) {
        dropped.inc({ reason: 'slow_client_disconnected' });
        client.ws.terminate();
      }
      return;
    }
    client.droppedInARow = 0;
    client.ws.send(message);
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
      const client: Client = { ws, droppedInARow: 0, alive: true };
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
          const message =
            samples === batch
              ? (shared ??= JSON.stringify({ type: 'samples', samples }))
              : JSON.stringify({ type: 'samples', samples });
          send(client, message);
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
      }
    },
    closeAll(code, reason) {
      for (const client of clients) client.ws.close(code, reason);
    },
  };
}
