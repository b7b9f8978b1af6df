import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { WebSocketServer } from 'ws';
import { systemClock, type Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { authFailureLimiter } from './auth-failures';
import { pipelineReadiness } from './pipeline-readiness';
import { rateLimiter } from './rate-limit';
import { refuseSocket } from './refuse-socket';
import { requestGuard } from './request-guard';
import { pipelineStats, type ReadinessChecks } from './status-api';
import { LiveHub, liveHub } from './live-hub';
import { recentAnomalies } from './recent-anomalies';
import { recentSamples } from './recent-samples';
import { wsUpgrade } from './ws-upgrade';
import { httpRoutes } from './http-routes';
import type { HostReading } from './system-api';

export interface GatewayOptions {
  host: string;
  port: number;
  token: string;
  allowedOrigins: readonly string[];
  maxClients: number;
  sendQueueBytes: number;
  /** Folder with the built dashboard. */
  staticRoot: string;
  clickhouse: ClickHouseClient;
  database: string;
  metrics: PipelineMetrics;
  logger: Logger;
  heartbeatMs?: number;
  /** How often clients subscribed to the pipeline stream get its health. */
  pipelineEveryMs?: number;
  /** Messages one WebSocket client may send per minute. */
  maxClientMessagesPerMinute?: number;
  /** WebSocket connections one IP may hold. */
  maxClientsPerIp?: number;
  /** HTTP API requests per minute and IP (429 with Retry-After past it). */
  rateLimitPerMinute?: number;
  rateLimitExemptLoopback?: boolean;
  /** Failed authentications per minute and IP, on every route (429 with Retry-After past it). */
  authFailuresPerMinute?: number;
  /** /ready fails when work is pending and no sink has made progress for this long. */
  readyStallSeconds?: number;
  /** Reads the gateway's own host for /api/system/* (absent: those paths are not served). */
  hostProbe?: () => Promise<HostReading>;
  /** Dependencies /ready checks (ClickHouse is always one). */
  readiness?: ReadinessChecks;
  clock?: Clock;
}

export interface Gateway {
  readonly port: number;
  /** Base URL, without the token. */
  readonly url: string;
  readonly hub: LiveHub;
  close(): Promise<void>;
}

/** HTTP API, dashboard files and the live WebSocket, all behind the token. */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.logger.child({ component: 'gateway' });
  const hub = liveHub({
    sendQueueBytes: options.sendQueueBytes,
    maxDroppedInARow: 50,
    maxMessagesPerMinute: options.maxClientMessagesPerMinute,
    clock: options.clock,
    metrics: options.metrics,
    logger: options.logger,
  });
  const metrics = options.metrics;
  const clock = options.clock ?? systemClock;
  const guard = requestGuard({
    token: options.token,
    allowedOrigins: options.allowedOrigins,
    metrics,
    failures: authFailureLimiter({
      perMinute: options.authFailuresPerMinute ?? 30,
      maxTracked: 10_000,
      clock,
      onForget: () => metrics.gatewayRequestsRefused.inc({ reason: 'auth_failure_table_full' }),
    }),
  });
  const limiter = rateLimiter({
    perMinute: options.rateLimitPerMinute ?? 150,
    maxTracked: 10_000,
    exemptLoopback: options.rateLimitExemptLoopback ?? true,
    clock,
    onForget: () => metrics.gatewayRequestsRefused.inc({ reason: 'rate_limit_table_full' }),
  });
  const progress = pipelineReadiness(metrics, {
    stallAfterMs: (options.readyStallSeconds ?? 60) * 1000,
    clock,
  });
  const readiness: ReadinessChecks = {
    clickhouse: () => options.clickhouse.ping().then((r) => (r.success ? r : Promise.reject(r.error))),
    pipeline: () => progress.check(),
    ...options.readiness,
  };

  const onRequest = httpRoutes({
    token: options.token,
    staticRoot: options.staticRoot,
    clickhouse: options.clickhouse,
    database: options.database,
    metrics,
    log,
    limiter,
    guard,
    readiness,
    hostProbe: options.hostProbe,
  });
  const server = http.createServer(onRequest);
  // A request Node cannot parse (bad header, oversize headers, …): a clean JSON 400/431, then close.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    metrics.gatewayRequestsRefused.inc({ reason: 'malformed_request' });
    if (err.code === 'ECONNRESET') return void socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    refuseSocket(
      socket,
      status,
      'TW_ERR_BAD_REQUEST',
      `malformed HTTP request (${err.code ?? 'parse error'})`,
    );
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  /** Snapshot queries in flight: close() waits for them, so ClickHouse can be closed right after. */
  const loading = new Set<Promise<unknown>>();
  const tracked = <T>(query: Promise<T>): Promise<T> => {
    loading.add(query);
    void query.then(
      () => loading.delete(query),
      () => loading.delete(query),
    );
    return query;
  };
  server.on(
    'upgrade',
    wsUpgrade({
      guard,
      allowedOrigins: options.allowedOrigins,
      maxClients: options.maxClients,
      maxClientsPerIp: options.maxClientsPerIp ?? 20,
      wss,
      hub,
      accept: (ws) =>
        hub.add(
          ws,
          () => tracked(recentSamples(options.clickhouse, options.database)),
          () => tracked(recentAnomalies(options.clickhouse, options.database)),
        ),
      metrics,
      log,
    }),
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => hub.heartbeat(), options.heartbeatMs ?? 30_000);
  const sampling = setInterval(
    () => void progress.sample().catch((err) => log.warn({ err }, 'pipeline progress sample failed')),
    1000,
  );
  const health = setInterval(() => {
    if (hub.wants('pipeline'))
      void pipelineStats(metrics).then(
        (stats) => hub.pipeline(stats),
        (err) => log.warn({ err }, 'pipeline stats failed'),
      );
  }, options.pipelineEveryMs ?? 5000);
  log.info({ port }, 'gateway listening');

  let closed: Promise<void> | undefined;
  return {
    port,
    url: `http://${options.host}:${port}`,
    hub,
    close() {
      closed ??= (async () => {
        clearInterval(heartbeat);
        clearInterval(health);
        clearInterval(sampling);
        hub.closeAll(1001, 'server shutting down');
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.allSettled([...loading]);
      })();
      return closed;
    },
  };
}
