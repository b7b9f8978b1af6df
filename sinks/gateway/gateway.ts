import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { WebSocketServer } from 'ws';
import { systemClock, type Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { originAllowed, requestToken, sessionCookie, tokenMatches } from './auth';
import { routeHostsApi } from './hosts-api';
import { handleMetrics, handleSql, sendError, sendJson } from './http-api';
import { rateLimiter } from './rate-limit';
import { handleSeries } from './series-api';
import { handlePipelineStats, handleReady, pipelineStats, type ReadinessChecks } from './status-api';
import { LiveHub, liveHub } from './live-hub';
import { handleAnomalies, recentAnomalies } from './recent-anomalies';
import { recentSamples } from './recent-samples';
import { serveStatic } from './static-files';
import { routeSystemApi, type HostReading } from './system-api';

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

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const text = http.STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason)}\r\n\r\n${reason}`,
  );
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
  const deps = { clickhouse: options.clickhouse, metrics: options.metrics };
  const authorized = (req: http.IncomingMessage, url: URL) =>
    tokenMatches(requestToken(req, url), options.token);

  const metrics = options.metrics;
  const limiter = rateLimiter({
    perMinute: options.rateLimitPerMinute ?? 150,
    maxTracked: 10_000,
    exemptLoopback: options.rateLimitExemptLoopback ?? true,
    clock: options.clock ?? systemClock,
    onForget: () => metrics.gatewayRequestsRefused.inc({ reason: 'rate_limit_table_full' }),
  });
  const readiness: ReadinessChecks = {
    clickhouse: () => options.clickhouse.ping().then((r) => (r.success ? r : Promise.reject(r.error))),
    ...options.readiness,
  };
  const api = { clickhouse: options.clickhouse, database: options.database };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    const fail = (err: unknown) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'TW_ERR_INTERNAL', 'internal error');
    };
    const isApi = url.pathname.startsWith('/api/') || url.pathname === '/ready';
    if (isApi) {
      const decision = limiter.take(req.socket.remoteAddress ?? '');
      if (!decision.allowed) {
        metrics.gatewayRequestsRefused.inc({ reason: 'rate_limit' });
        return sendJson(
          res,
          429,
          {
            error: {
              code: 'TW_ERR_RATE_LIMITED',
              message: `too many requests; retry in ${decision.retryAfterSeconds} s`,
            },
          },
          { 'retry-after': String(decision.retryAfterSeconds) },
        );
      }
    }
    const hasToken = authorized(req, url);
    if (url.pathname === '/ready') return void handleReady(res, readiness, hasToken).catch(fail);
    if (!hasToken) {
      return sendError(
        res,
        401,
        'TW_ERR_AUTH',
        'missing or wrong token: open the dashboard URL printed at start, or send Authorization: Bearer <token>',
      );
    }
    if (url.searchParams.has('token') && req.method === 'GET') {
      url.searchParams.delete('token');
      res.writeHead(302, { 'set-cookie': sessionCookie(options.token), location: url.pathname + url.search });
      return res.end();
    }
    if (url.pathname === '/api/sql') return void handleSql(req, res, deps).catch(fail);
    if (url.pathname === '/metrics') return void handleMetrics(res, deps).catch(fail);
    if (isApi && req.method !== 'GET')
      return sendError(res, 405, 'TW_ERR_BAD_REQUEST', `${url.pathname} answers GET only`);
    if (url.pathname === '/api/pipeline/stats')
      return void handlePipelineStats(res, metrics, api).catch(fail);
    if (url.pathname === '/api/series') return void handleSeries(res, url.searchParams, api).catch(fail);
    if (url.pathname === '/api/anomalies')
      return void handleAnomalies(res, url.searchParams, api).catch(fail);
    const routed =
      isApi &&
      (routeHostsApi(url.pathname, res, api) ||
        (options.hostProbe !== undefined && routeSystemApi(url.pathname, res, options.hostProbe)));
    if (routed) return void routed.catch(fail);
    if (url.pathname.startsWith('/api/'))
      return sendError(res, 404, 'TW_ERR_BAD_REQUEST', `no API at ${url.pathname}`);
    if (req.method !== 'GET' || !serveStatic(options.staticRoot, url.pathname, res)) {
      sendError(res, 404, 'TW_ERR_BAD_REQUEST', `not found: ${url.pathname}`);
    }
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
  /** Open WebSockets per client IP; at most maxClients entries, each holding one or more. */
  const perIp = new Map<string, number>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'WebSocket endpoint is /ws');
    if (!authorized(req, url)) return refuseUpgrade(socket, 401, 'missing or wrong token');
    if (!originAllowed(req, options.allowedOrigins)) return refuseUpgrade(socket, 403, 'origin not allowed');
    if (hub.size >= options.maxClients) {
      options.metrics.gatewayMessagesDropped.inc({ reason: 'connection_cap' });
      return refuseUpgrade(socket, 503, 'too many clients');
    }
    const ip = req.socket.remoteAddress ?? '';
    const held = perIp.get(ip) ?? 0;
    if (held >= (options.maxClientsPerIp ?? 20)) {
      metrics.gatewayRequestsRefused.inc({ reason: 'connections_per_ip' });
      return refuseUpgrade(socket, 429, 'too many connections from this address');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
      ws.once('close', () => {
        const n = (perIp.get(ip) ?? 1) - 1;
        if (n > 0) perIp.set(ip, n);
        else perIp.delete(ip);
      });
      hub.add(
        ws,
        () => tracked(recentSamples(options.clickhouse, options.database)),
        () => tracked(recentAnomalies(options.clickhouse, options.database)),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => hub.heartbeat(), options.heartbeatMs ?? 30_000);
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
