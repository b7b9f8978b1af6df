import fs from 'node:fs';

/**
 * Records this machine's telemetry from /proc, once a `--interval-ms` (default 1000), as long
 * CSV rows `t,series,value` on stdout: CPU modes (utilization per interval), memory, load,
 * pressure, disk and network rates, context switches, forks and page faults. The recordings
 * in `data/` are the false-alarm set of `npm run bench -- detect` and the ground the injected
 * anomalies are laid on. Run: `node dist/bench/detect/record-host.js > rec.csv`.
 */
type Reading = Map<string, number>;

const read = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

function counters(): { gauges: Reading; counters: Reading } {
  const gauges: Reading = new Map();
  const cs: Reading = new Map();
  for (const line of read('/proc/stat').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (/^cpu\d*$/.test(f[0] ?? '')) {
      const v = f.slice(1, 9).map(Number);
      const total = v.reduce((a, b) => a + b, 0);
      const name = f[0] === 'cpu' ? 'cpu' : `cpu.${f[0]!.slice(3)}`;
      cs.set(`${name}.total`, total);
      cs.set(`${name}.user`, v[0]! + v[1]!);
      cs.set(`${name}.system`, v[2]! + v[5]! + v[6]!);
      cs.set(`${name}.iowait`, v[4]!);
    } else if (f[0] === 'ctxt' || f[0] === 'processes' || f[0] === 'intr') cs.set(f[0], Number(f[1]));
    else if (f[0] === 'procs_running' || f[0] === 'procs_blocked') gauges.set(f[0], Number(f[1]));
  }
  for (const line of read('/proc/meminfo').split('\n')) {
    const m = /^(MemAvailable|Cached|Dirty|AnonPages|Shmem|Buffers):\s+(\d+)/.exec(line);
    if (m) gauges.set(`mem.${m[1]!.toLowerCase()}`, Number(m[2]) * 1024);
  }
  const load = read('/proc/loadavg').split(/\s+/);
  gauges.set('load.1m', Number(load[0]));
  gauges.set('load.5m', Number(load[1]));
  gauges.set('threads', Number((load[3] ?? '0/0').split('/')[1]));
  for (const kind of ['cpu', 'memory', 'io']) {
    const m = /some avg10=([\d.]+)/.exec(read(`/proc/pressure/${kind}`));
    if (m) gauges.set(`pressure.${kind}`, Number(m[1]));
  }
  for (const line of read('/proc/vmstat').split('\n')) {
    const [k, v] = line.split(' ');
    if (k === 'pgfault' || k === 'pgmajfault' || k === 'pgpgin' || k === 'pgpgout')
      cs.set(`vm.${k}`, Number(v));
  }
  for (const line of read('/proc/diskstats').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (!/^(sd[a-z]|vd[a-z]|nvme\d+n\d+|xvd[a-z])$/.test(f[2] ?? '')) continue;
    cs.set(`disk.${f[2]}.read_bytes`, Number(f[5]) * 512);
    cs.set(`disk.${f[2]}.write_bytes`, Number(f[9]) * 512);
    cs.set(`disk.${f[2]}.io_ms`, Number(f[12]));
  }
  for (const line of read('/proc/net/dev').split('\n').slice(2)) {
    const [name, rest] = line.split(':');
    if (!rest) continue;
    const f = rest.trim().split(/\s+/);
    cs.set(`net.${name!.trim()}.rx_bytes`, Number(f[0]));
    cs.set(`net.${name!.trim()}.tx_bytes`, Number(f[8]));
  }
  return { gauges, counters: cs };
}

const interval = Number(process.argv.find((a) => a.startsWith('--interval-ms='))?.split('=')[1] ?? 1000);
let last = counters();
let lastT = Date.now();
setInterval(() => {
  const now = counters();
  const t = Date.now();
  const dt = (t - lastT) / 1000;
  let out = '';
  for (const [k, v] of now.gauges) out += `${t},${k},${v}\n`;
  for (const [k, v] of now.counters) {
    const before = last.counters.get(k);
    if (before === undefined || k.endsWith('.total')) continue;
    const cpu = /^(cpu(?:\.\d+)?)\.(user|system|iowait)$/.exec(k);
    if (cpu) {
      const total = now.counters.get(`${cpu[1]}.total`)! - last.counters.get(`${cpu[1]}.total`)!;
      out += `${t},${k},${total > 0 ? Math.round((10000 * (v - before)) / total) / 10000 : 0}\n`;
    } else out += `${t},${k},${Math.round((v - before) / dt)}\n`;
  }
  process.stdout.write(out);
  last = now;
  lastT = t;
}, interval);
