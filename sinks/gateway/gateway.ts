import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { originAllowed, requestToken, sessionCookie, tokenMatches } from './auth';
import { handleMetrics, handleSql, sendError, sendJson } from './http-api';
import { LiveHub, liveHub } from './live-hub';
import { recentAnomalies } from './recent-anomalies';
import { recentSamples } from './recent-samples';
import { serveStatic } from './static-files';

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
    metrics: options.metrics,
    logger: options.logger,
  });
  const deps = { clickhouse: options.clickhouse, metrics: options.metrics };
  const authorized = (req: http.IncomingMessage, url: URL) =>
    tokenMatches(requestToken(req, url), options.token);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (!authorized(req, url)) {
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
    const fail = (err: unknown) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'TW_ERR_INTERNAL', 'internal error');
    };
    if (url.pathname === '/api/sql') return void handleSql(req, res, deps).catch(fail);
    if (url.pathname === '/metrics') return void handleMetrics(res, deps).catch(fail);
    if (url.pathname.startsWith('/api/'))
      return sendError(res, 404, 'TW_ERR_BAD_REQUEST', `no API at ${url.pathname}`);
    if (req.method !== 'GET' || !serveStatic(options.staticRoot, url.pathname, res)) {
      sendError(res, 404, 'TW_ERR_BAD_REQUEST', `not found: ${url.pathname}`);
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'WebSocket endpoint is /ws');
    if (!authorized(req, url)) return refuseUpgrade(socket, 401, 'missing or wrong token');
    if (!originAllowed(req, options.allowedOrigins)) return refuseUpgrade(socket, 403, 'origin not allowed');
    if (hub.size >= options.maxClients) {
      options.metrics.gatewayMessagesDropped.inc({ reason: 'connection_cap' });
      return refuseUpgrade(socket, 503, 'too many clients');
    }
    wss.handleUpgrade(req, socket, head, (ws) =>
      hub.add(
        ws,
        () => recentSamples(options.clickhouse, options.database),
        () => recentAnomalies(options.clickhouse, options.database),
      ),
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => hub.heartbeat(), options.heartbeatMs ?? 30_000);
  log.info({ port }, 'gateway listening');

  let closed: Promise<void> | undefined;
  return {
    port,
    url: `http://${options.host}:${port}`,
    hub,
    close() {
      closed ??= (async () => {
        clearInterval(heartbeat);
        hub.closeAll(1001, 'server shutting down');
        wss.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closed;
    },
  };
}
