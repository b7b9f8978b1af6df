import fs from 'node:fs';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** A memory field of /proc/<pid>/status (`VmRSS`, `RssAnon`, …), in KiB. */
export function statusKb(pid: number | 'self', field: string): number {
  const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1]);
}

/** Resident memory of a process in MiB: all of it, its own (anonymous), mapped from files, and PSS. */
export function memoryMb(pid: number): { rss: number; anon: number; file: number; pss: number } {
  const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;
  const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return {
    rss: mb(statusKb(pid, 'VmRSS')),
    anon: mb(statusKb(pid, 'RssAnon')),
    file: mb(statusKb(pid, 'RssFile')),
    pss: mb(Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1])),
  };
}

/** Resident memory of a process, MiB. */
export function rssMb(pid: number): number {
  return Math.round((statusKb(pid, 'VmRSS') / 1024) * 10) / 10;
}

/** Each thread of a process: its id, name and CPU seconds, from /proc/<pid>/task/<tid>/stat. */
function threadTimes(pid: number | 'self'): { tid: number; name: string; seconds: number }[] {
  const out = [];
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    out.push({
      tid: Number(tid),
      name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    });
  }
  return out;
}

/**
 * CPU seconds of a process's main thread and of all its other threads together (V8's GC and
 * compiler workers, the libuv pool).
 */
export function threadCpuSeconds(pid: number): { main: number; helpers: number } {
  const out = { main: 0, helpers: 0 };
  for (const t of threadTimes(pid)) out[t.tid === pid ? 'main' : 'helpers'] += t.seconds;
  return out;
}

/** CPU seconds of this machine's cores, busy (everything but idle and iowait), from /proc/stat. */
export function machineBusySeconds(): number {
  const fields = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n', 1)[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  return (total - fields[3]! - fields[4]!) / TICKS_PER_SECOND;
}

/**
 * CPU seconds of this process by kind of thread: the JS main thread, the runtime's other threads
 * (named `node`: V8's GC and compiler workers, the libuv pool) and the embedded ClickHouse
 * engine's (every other name).
 */
export function ownCpuSeconds(): { main: number; runtime: number; engine: number; machine: number } {
  const out = { main: 0, runtime: 0, engine: 0, machine: machineBusySeconds() };
  for (const t of threadTimes('self'))
    out[t.tid === process.pid ? 'main' : t.name === 'node' ? 'runtime' : 'engine'] += t.seconds;
  return out;
}

/** µs of CPU per event between two `ownCpuSeconds` readings, by kind (machine: every process). */
export function cpuPerEvent(before: ReturnType<typeof ownCpuSeconds>, events: number) {
  const after = ownCpuSeconds();
  const per = (k: keyof typeof after) => Math.round(((after[k] - before[k]) / events) * 1e7) / 10;
  return { main: per('main'), runtime: per('runtime'), engine: per('engine'), machine: per('machine') };
}
