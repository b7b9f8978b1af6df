import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { TidewatchError, errorMessage } from '../../core/errors';
import type { PipelineMetrics } from '../../core/metrics';
import { ConsoleBusyError, runReadOnlyQuery } from '../clickhouse';

const MAX_BODY_BYTES = 64 * 1024;

const sqlRequest = z
  .object({
    query: z.string().min(1).max(20_000),
    params: z
      .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.union([z.string(), z.number(), z.boolean()]))
      .optional(),
  })
  .strict();

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(JSON.stringify(body));
}

export function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new TidewatchError('TW_ERR_BAD_REQUEST', `request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export interface ApiDeps {
  clickhouse: ClickHouseClient;
  metrics: PipelineMetrics;
}

/** POST /api/sql {query, params}: one read-only query with bound parameters and hard limits. */
export async function handleSql(req: IncomingMessage, res: ServerResponse, deps: ApiDeps): Promise<void> {
  if (req.method !== 'POST')
    return sendError(
      res,
      405,
      'TW_ERR_BAD_REQUEST',
      'use POST with a JSON body {"query": "...", "params": {...}}',
    );
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req));
  } catch (err) {
    return sendError(
      res,
      err instanceof TidewatchError ? 413 : 400,
      'TW_ERR_BAD_REQUEST',
      `body is not JSON: ${errorMessage(err)}`,
    );
  }
  const parsed = sqlRequest.safeParse(body);
  if (!parsed.success) {
    return sendError(
      res,
      400,
      'TW_ERR_BAD_REQUEST',
      parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
    );
  }
  try {
    sendJson(res, 200, await runReadOnlyQuery(deps.clickhouse, parsed.data.query, parsed.data.params));
  } catch (err) {
    if (err instanceof ConsoleBusyError) {
      return sendJson(
        res,
        429,
        { error: { code: err.code, message: err.message } },
        { 'retry-after': String(err.retryAfterSeconds) },
      );
    }
    const code = err instanceof TidewatchError ? err.code : 'TW_ERR_CLICKHOUSE_QUERY';
    sendError(res, 400, code, errorMessage(err));
  }
}

/** GET /metrics: Prometheus text format. */
export async function handleMetrics(res: ServerResponse, deps: ApiDeps): Promise<void> {
  res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
  res.end(await deps.metrics.registry.metrics());
}
