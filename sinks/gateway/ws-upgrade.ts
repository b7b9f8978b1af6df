import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { originAllowed } from './auth';
import type { LiveHub } from './live-hub';
import { refuseSocket } from './refuse-socket';
import type { GuardDecision } from './request-guard';

export interface WsUpgradeOptions {
  guard: (req: IncomingMessage, url: URL, tokenRequired: boolean) => GuardDecision;
  allowedOrigins: readonly string[];
  maxClients: number;
  maxClientsPerIp: number;
  wss: WebSocketServer;
  hub: LiveHub;
  /** Registers an accepted socket with the hub (and its snapshot queries). */
  accept: (ws: WebSocket) => void;
  metrics: PipelineMetrics;
  log: Logger;
}

/**
 * The gateway's 'upgrade' handler: only `/ws`, behind the same guard as every HTTP route (token,
 * failed-authentication budget), from an allowed Origin, within the client caps. Every refusal
 * is a JSON error with a `TW_ERR_*` code, and nothing in here can throw out of the handler.
 */
export function wsUpgrade(o: WsUpgradeOptions) {
  /** Open WebSockets per client IP; at most maxClients entries, each holding one or more. */
  const perIp = new Map<string, number>();
  const handle = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway');
    } catch {
      return refuseSocket(socket, 400, 'TW_ERR_BAD_REQUEST', 'the request target is not a valid URL');
    }
    if (url.pathname !== '/ws')
      return refuseSocket(socket, 404, 'TW_ERR_BAD_REQUEST', 'WebSocket endpoint is /ws');
    const decision = o.guard(req, url, true);
    if (!decision.allowed)
      return refuseSocket(socket, decision.status, decision.code, decision.message, decision.headers);
    if (!originAllowed(req, o.allowedOrigins))
      return refuseSocket(socket, 403, 'TW_ERR_AUTH', 'origin not allowed');
    if (o.hub.size >= o.maxClients) {
      o.metrics.gatewayMessagesDropped.inc({ reason: 'connection_cap' });
      return refuseSocket(socket, 503, 'TW_ERR_RATE_LIMITED', 'too many clients');
    }
    const ip = req.socket.remoteAddress ?? '';
    if ((perIp.get(ip) ?? 0) >= o.maxClientsPerIp) {
      o.metrics.gatewayRequestsRefused.inc({ reason: 'connections_per_ip' });
      return refuseSocket(socket, 429, 'TW_ERR_RATE_LIMITED', 'too many connections from this address');
    }
    o.wss.handleUpgrade(req, socket, head, (ws) => {
      perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
      ws.once('close', () => {
        const n = (perIp.get(ip) ?? 1) - 1;
        if (n > 0) perIp.set(ip, n);
        else perIp.delete(ip);
      });
      o.accept(ws);
    });
  };
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A peer that resets the connection before ws owns the socket must not become an uncaught 'error'.
    socket.on('error', (err) => o.log.debug({ err: err.message }, 'upgrade socket error'));
    try {
      handle(req, socket, head);
    } catch (err) {
      o.log.error({ err }, 'upgrade failed');
      refuseSocket(socket, 500, 'TW_ERR_INTERNAL', 'internal error');
    }
  };
}
