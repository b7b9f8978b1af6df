import type { ProcessEvent } from '../../schemas';
import { parsePidStat, type PidStat } from './procfs/pid-stat';
import type { ProcReader } from './procfs/proc-reader';

export type ProcessRecord = Omit<ProcessEvent, 'event_id' | 'host' | 'ts'>;

export interface ProcessTableOptions {
  proc: ProcReader;
  /** How many processes to report by CPU and by memory. */
  topN: number;
  /** Start and exit events per scan; more are dropped and reported to `onEventsDropped`. */
  maxEvents: number;
  onEventsDropped?: (count: number) => void;
  bootTimeMs: number;
  userOf: (uid: string) => string;
  clockTicks?: number;
  pageSize?: number;
}

const STATES: Record<string, string> = {
  R: 'running',
  S: 'sleeping',
  D: 'blocked',
  Z: 'defunct',
  T: 'stopped',
  t: 'stopped',
  I: 'idle',
};
export const PROCESS_STATES = ['running', 'sleeping', 'blocked', 'stopped', 'defunct', 'idle'] as const;
const COMMAND_MAX = 256;

interface Seen {
  stat: PidStat;
  command?: string;
  user?: string;
}

export interface ProcessScan {
  counts: Record<string, number>;
  records: ProcessRecord[];
}

/**
 * The host's process table between two scans of /proc: counts by state, the top processes by CPU
 * (used since the previous scan) and by resident memory, and the processes that started or exited
 * in between. A process that starts and exits between two scans is not seen. Holds one entry per
 * live process, nothing more.
 */
export class ProcessTable {
  private seen = new Map<number, Seen>();
  private lastScanMs = 0;

  constructor(private readonly o: ProcessTableOptions) {}

  async scan(nowMs: number): Promise<ProcessScan> {
    const { proc } = this.o;
    const ticks = this.o.clockTicks ?? 100;
    const pageSize = this.o.pageSize ?? 4096;
    const pids = (await proc.list('.')).filter((name) => /^\d+$/.test(name));
    const texts = await Promise.all(pids.map((pid) => proc.readIfExists(`${pid}/stat`)));
    const first = this.lastScanMs === 0;
    const seconds = (nowMs - this.lastScanMs) / 1000;
    const now = new Map<number, Seen>();
    const cpu = new Map<number, number>();
    const counts: Record<string, number> = Object.fromEntries(PROCESS_STATES.map((s) => [s, 0]));
    for (const text of texts) {
      const stat = text === undefined ? undefined : parsePidStat(text);
      if (!stat) continue;
      const state = STATES[stat.state] ?? 'sleeping';
      counts[state] = (counts[state] ?? 0) + 1;
      const before = this.seen.get(stat.pid);
      const sameProcess = before && before.stat.startTicks === stat.startTicks;
      now.set(stat.pid, sameProcess ? { ...before, stat } : { stat });
      if (!first) {
        const used = stat.cpuTicks - (sameProcess ? before.stat.cpuTicks : 0);
        cpu.set(stat.pid, Math.max(0, used / ticks / Math.max(seconds, 1e-3)));
      }
    }

    const byCpu = first
      ? []
      : [...now.keys()]
          .filter((pid) => cpu.get(pid)! > 0)
          .sort((a, b) => cpu.get(b)! - cpu.get(a)!)
          .slice(0, this.o.topN);
    const byMemory = [...now.keys()]
      .sort((a, b) => now.get(b)!.stat.rssPages - now.get(a)!.stat.rssPages)
      .slice(0, this.o.topN);
    const started = first ? [] : [...now.keys()].filter((pid) => !this.isSame(pid, now));
    const exited = [...this.seen.keys()].filter((pid) => !this.isSame(pid, now));
    const events = started.length + exited.length;
    const keptStarts = started.slice(0, this.o.maxEvents);
    const keptExits = exited.slice(0, Math.max(0, this.o.maxEvents - keptStarts.length));
    const dropped = events - keptStarts.length - keptExits.length;
    if (dropped > 0) this.o.onEventsDropped?.(dropped);

    const wanted = new Set([...byCpu, ...byMemory, ...keptStarts]);
    await Promise.all([...wanted].map((pid) => this.describe(now.get(pid)!)));

    const record = (s: Seen, kind: ProcessRecord['kind'], state?: string): ProcessRecord => ({
      kind,
      pid: s.stat.pid,
      ppid: s.stat.ppid,
      name: s.stat.name,
      command: s.command ?? '',
      user: s.user ?? '',
      cpu: cpu.get(s.stat.pid) ?? 0,
      rss: s.stat.rssPages * pageSize,
      state: state ?? STATES[s.stat.state] ?? 'sleeping',
      start_time: Math.round(this.o.bootTimeMs + (s.stat.startTicks / ticks) * 1000),
      rank_cpu: byCpu.indexOf(s.stat.pid) + 1,
      rank_memory: byMemory.indexOf(s.stat.pid) + 1,
    });
    const records: ProcessRecord[] = [
      ...[...new Set([...byCpu, ...byMemory])].map((pid) => record(now.get(pid)!, 'snapshot')),
      ...keptStarts.map((pid) => ({ ...record(now.get(pid)!, 'start'), rank_cpu: 0, rank_memory: 0 })),
      ...keptExits.map((pid) => ({
        ...record(this.seen.get(pid)!, 'exit', 'exited'),
        cpu: 0,
        rank_cpu: 0,
        rank_memory: 0,
      })),
    ];
    this.seen = now;
    this.lastScanMs = nowMs;
    return { counts, records };
  }

  get size(): number {
    return this.seen.size;
  }

  /** Whether pid is the same process in both tables (a reused pid is a new process). */
  private isSame(pid: number, now: Map<number, Seen>): boolean {
    const a = this.seen.get(pid);
    const b = now.get(pid);
    return a !== undefined && b !== undefined && a.stat.startTicks === b.stat.startTicks;
  }

  private async describe(s: Seen): Promise<void> {
    if (s.command !== undefined) return;
    const [cmdline, status] = await Promise.all([
      this.o.proc.readSlow(`${s.stat.pid}/cmdline`),
      this.o.proc.readIfExists(`${s.stat.pid}/status`),
    ]);
    const args = (cmdline ?? '').split('\0').filter(Boolean).join(' ');
    s.command = (args || `[${s.stat.name}]`).slice(0, COMMAND_MAX);
    const uid = /^Uid:\s+(\d+)/m.exec(status ?? '')?.[1];
    s.user = uid === undefined ? '' : this.o.userOf(uid);
  }
}
