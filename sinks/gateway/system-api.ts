import type { ServerResponse } from 'node:http';
import os from 'node:os';
import si from 'systeminformation';
import { systemClock, type Clock } from '../../core/clock';
import { sendJson } from './http-api';

/**
 * GET /api/system/stats|processes|disk: the gateway's own host, read when asked (not from the
 * pipeline), so a gateway on a host without an agent can still be looked at. systeminformation's
 * probes cost milliseconds to hundreds of milliseconds of CPU (`ps`, `df`), so each answer is
 * reused for `ttlMs`, and concurrent requests share one probe.
 */
export function systemApi(clock: Clock = systemClock, ttlMs = 2000) {
  const cached = new Map<string, { at: number; value: Promise<object> }>();
  const probes: Record<string, () => Promise<object>> = {
    stats: async () => {
      const [load, mem, time] = await Promise.all([si.currentLoad(), si.mem(), si.time()]);
      return {
        host: os.hostname(),
        uptime_s: time.uptime,
        cpu: {
          cores: load.cpus.length,
          utilization: load.currentLoad / 100,
          user: load.currentLoadUser / 100,
          system: load.currentLoadSystem / 100,
        },
        load: os.loadavg(),
        memory: { total: mem.total, used: mem.active, available: mem.available, swap_used: mem.swapused },
        gateway: { rss: process.memoryUsage.rss(), heap_used: process.memoryUsage().heapUsed },
      };
    },
    processes: async () => {
      const p = await si.processes();
      const top = [...p.list].sort((a, b) => b.cpu - a.cpu || b.memRss - a.memRss).slice(0, 50);
      return {
        total: p.all,
        running: p.running,
        processes: top.map((x) => ({
          pid: x.pid,
          name: x.name,
          user: x.user,
          cpu: x.cpu / 100,
          rss: x.memRss * 1024,
          state: x.state,
        })),
      };
    },
    disk: async () => {
      const [fs, io] = await Promise.all([si.fsSize(), si.disksIO()]);
      return {
        filesystems: fs.map((f) => ({
          mountpoint: f.mount,
          device: f.fs,
          type: f.type,
          size: f.size,
          used: f.used,
          available: f.available,
          utilization: f.use / 100,
        })),
        io: io && { read_per_s: io.rIO_sec, write_per_s: io.wIO_sec },
      };
    },
  };

  return {
    /** Answers /api/system/<name>; false when there is no such endpoint. */
    route(pathname: string, res: ServerResponse): Promise<void> | false {
      const name = pathname.slice('/api/system/'.length);
      const probe =
        pathname.startsWith('/api/system/') && Object.hasOwn(probes, name) ? probes[name] : undefined;
      if (!probe) return false;
      const now = clock();
      let entry = cached.get(name);
      if (!entry || now - entry.at > ttlMs) {
        entry = { at: now, value: probe() };
        entry.value.catch(() => cached.delete(name));
        cached.set(name, entry);
      }
      return entry.value.then((body) => sendJson(res, 200, body));
    },
  };
}
