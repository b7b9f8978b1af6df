import type { ServerResponse } from 'node:http';
import type { ProcessEvent } from '../../schemas';
import { sendJson } from './http-api';

/** One reading of the gateway's own host, with the names every stored sample has. */
export interface HostReading {
  host: string;
  ts: number;
  samples: { metric: string; value: number; unit: string; attributes?: Record<string, string> }[];
  processes: Omit<ProcessEvent, 'event_id' | 'host' | 'ts'>[];
}

const isDisk = (metric: string) => /^(tidewatch\.)?system\.(disk|filesystem)\./.test(metric);

/**
 * GET /api/system/stats|processes|disk: the gateway's own host, read when asked (not from the
 * pipeline), so a gateway on a host without an agent can still be looked at. `stats` has CPU,
 * memory, load, network and process counts, `disk` the disks and filesystems, `processes` the
 * busiest processes. False when the path is not one of them.
 */
export function routeSystemApi(
  pathname: string,
  res: ServerResponse,
  probe: () => Promise<HostReading>,
): Promise<void> | false {
  const name = pathname.startsWith('/api/system/') ? pathname.slice('/api/system/'.length) : '';
  if (name !== 'stats' && name !== 'disk' && name !== 'processes') return false;
  return probe().then(({ host, ts, samples, processes }) => {
    if (name === 'processes') {
      const snapshot = processes
        .filter((p) => p.kind === 'snapshot')
        .sort((a, b) => b.cpu - a.cpu || b.rss - a.rss);
      return sendJson(res, 200, { host, ts, processes: snapshot });
    }
    const wanted = samples.filter((s) => isDisk(s.metric) === (name === 'disk'));
    sendJson(res, 200, { host, ts, samples: wanted.map((s) => ({ ...s, attributes: s.attributes ?? {} })) });
  });
}
