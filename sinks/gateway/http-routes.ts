import type http from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { sessionCookie } from './auth';
import { routeHostsApi } from './hosts-api';
import { handleMetrics, handleSql, sendError, sendJson } from './http-api';
import type { rateLimiter } from './rate-limit';
import type { GuardDecision } from './request-guard';
import { handleSeries } from './series-api';
import { handlePipelineStats, handleReady, type ReadinessChecks } from './status-api';
import { handleAnomalies } from './recent-anomalies';
import { serveStatic } from './static-files';
import { routeSystemApi, type HostReading } from './system-api';

export interface HttpRoutesOptions {
  token: string;
  staticRoot: string;
  clickhouse: ClickHouseClient;
  database: string;
  metrics: PipelineMetrics;
  log: Logger;
  limiter: ReturnType<typeof rateLimiter>;
  guard: (req: http.IncomingMessage, url: URL, tokenRequired: boolean) => GuardDecision;
  readiness: ReadinessChecks;
  hostProbe?: () => Promise<HostReading>;
}

const parseUrl = (req: http.IncomingMessage): URL | undefined => {
  try {
    return new URL(req.url ?? '/', 'http://gateway');
  } catch {
    return undefined;
  }
};

/**
 * The gateway's 'request' handler: /health, then the API rate limit, the guard (token,
 * failed-authentication budget, CSRF), then the routes. A throw or rejection in any route is
 * answered with a JSON 500 (`TW_ERR_INTERNAL`), never an exit.
 */
export function httpRoutes(options: HttpRoutesOptions) {
  const { metrics, log, limiter, guard, readiness } = options;
  const deps = { clickhouse: options.clickhouse, metrics };
  const api = { clickhouse: options.clickhouse, database: options.database };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const fail = (err: unknown) => {
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendError(res, 500, 'TW_ERR_INTERNAL', 'internal error');
      else res.destroy();
    };
    try {
      route(req, res, fail);
    } catch (err) {
      fail(err);
    }
  };
  const route = (req: http.IncomingMessage, res: http.ServerResponse, fail: (err: unknown) => void) => {
    const url = parseUrl(req);
    if (!url) return sendError(res, 400, 'TW_ERR_BAD_REQUEST', 'the request target is not a valid URL');
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
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
    const decision = guard(req, url, url.pathname !== '/ready');
    if (!decision.allowed) {
      const body = { error: { code: decision.code, message: decision.message } };
      return sendJson(res, decision.status, body, decision.headers);
    }
    if (url.pathname === '/ready') return void handleReady(res, readiness, decision.hasToken).catch(fail);
    if (url.searchParams.has('token') && req.method === 'GET') {
      url.searchParams.delete('token');
      // One leading slash: `//host/` would be a redirect to another site.
      const location = `/${url.pathname.replace(/^\/+/, '')}${url.search}`;
      res.writeHead(302, { 'set-cookie': sessionCookie(options.token), location });
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
      (routeHostsApi(url.pathname, res, api, url.searchParams) ||
        (options.hostProbe !== undefined && routeSystemApi(url.pathname, res, options.hostProbe)));
    if (routed) return void routed.catch(fail);
    if (url.pathname.startsWith('/api/'))
      return sendError(res, 404, 'TW_ERR_BAD_REQUEST', `no API at ${url.pathname}`);
    if (req.method !== 'GET' || !serveStatic(options.staticRoot, url.pathname, res)) {
      sendError(res, 404, 'TW_ERR_BAD_REQUEST', `not found: ${url.pathname}`);
    }
  };
  return onRequest;
}
