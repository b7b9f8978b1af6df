import { fork, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { readRuntime } from '../cli/runtime-file';
import { createKafka, topicNames } from '../core/kafka';
import { silentLogger } from '../core/logger';
import { PROCESSOR_NODE_FLAGS } from '../core/node-flags';
import { tokenFile } from '../sinks/gateway/token';
import { benchStack } from './bench-stack';
import { cpuSeconds, machineBusySeconds, threadCpuSeconds } from './process-usage';
import {
  latencyView,
  warmupSplit,
  type BareConsumerArgs,
  type BareConsumerView,
} from './latency-bare-consumer';

export interface LatencyBenchOptions {
  /** Samples per second from the load generator. */
  rate: number;
  seconds: number;
  hosts: number;
  /**
   * Samples stamped in the run's first seconds are also viewed apart (`warmup`, `after_warmup`):
   * the instance and the load generator start cold (code not yet optimised, the engine's first
   * parts), and a backlog built then drains for a while. The headline counts every sample.
   */
  warmupSeconds: number;
  /**
   * Also time the same samples through a bare consumer (`kafka_only`). Off (`--kafka-only off`),
   * its ~10 µs of CPU a sample is left to the rest: on a machine the run keeps busy, how much the
   * instance's latency owes to the machine's load shows against a run with it on.
   */
  kafkaOnly: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const BIN = path.join(__dirname, '..', '..', 'bin', 'tidewatch.js');

/** Waits until `check` returns a value (polling), or fails after `ms`. */
async function waitFor<T>(what: string, ms: number, check: () => T | undefined, child?: ChildProcess) {
  const until = Date.now() + ms;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (child && child.exitCode !== null) throw new Error(`${what}: the process exited (${child.exitCode})`);
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(200);
  }
}

const ms = (seconds: string) => Math.round(Number(seconds) * 1e4) / 10;

/**
 * From the instance's Prometheus metrics, in ms: p50/p99 of each stage's time per batch, its
 * event loop's delay (p50/p99/max since the last scrape: the whole run) and its garbage
 * collections (time and count by kind).
 */
async function instanceTimes(url: string, token: string) {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const stages: Record<string, number> = {};
  const eventLoop: Record<string, number> = {};
  const gc: Record<string, number> = {};
  for (const l of (await res.text()).split('\n')) {
    const value = l.slice(l.lastIndexOf(' ') + 1);
    const loop = /^tidewatch_nodejs_eventloop_lag_(p50|p99|max)_seconds /.exec(l)?.[1];
    if (loop) eventLoop[`${loop}_ms`] = ms(value);
    const collection = /^tidewatch_nodejs_gc_duration_seconds_(sum|count)\{kind="([^"]+)"/.exec(l);
    if (collection)
      gc[`${collection[2]}_${collection[1] === 'sum' ? 'ms' : 'count'}`] =
        collection[1] === 'sum' ? ms(value) : Number(value);
    if (!l.startsWith('tidewatch_stage_batch_seconds{')) continue;
    const stage = /stage="([^"]+)"/.exec(l)?.[1];
    const q = /quantile="([^"]+)"/.exec(l)?.[1];
    if (!stage || (q !== '0.5' && q !== '0.99')) continue;
    stages[`${stage}_p${q === '0.5' ? 50 : 99}`] = ms(value);
  }
  return { stages, eventLoop, gc };
}

/**
 * The CPU seconds a process has used, read every 250 ms until it exits (the last reading is
 * what it used, to within that); `seconds()` is the latest.
 */
function cpuWatch(pid: number) {
  let last = 0;
  const read = () => {
    try {
      last = cpuSeconds(pid);
    } catch {
      clearInterval(timer); // gone
    }
  };
  const timer = setInterval(read, 250);
  read();
  return {
    seconds: () => (read(), last),
    stop: () => clearInterval(timer),
  };
}

/** The bare consumer's process, once it has joined its group; `report()` asks for its view. */
async function bareConsumer(args: BareConsumerArgs) {
  const child = fork(path.join(__dirname, 'latency-bare-consumer.js'), [JSON.stringify(args)], {
    execArgv: ['--max-semi-space-size=64'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the bare consumer exited (${code})`)));
  });
  return {
    pid: child.pid!,
    report: () =>
      new Promise<BareConsumerView>((resolve) => {
        child.once('message', (m) => resolve(m as BareConsumerView));
        child.send('report');
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}

/**
 * `npm run bench -- latency`: the whole instance as users run it (`tidewatch start`, its own
 * process, Node flags as `bin/tidewatch.js`) fed by `tidewatch loadgen` (another process) at
 * `rate` samples/s for `seconds`, and one WebSocket client (this process) subscribed to samples.
 * Latency of a sample = the time its message arrived − its event time (stamped by the load
 * generator as it made the batch); every load-generator sample received is counted (the
 * instance's own agent's are left out, and the catch-up snapshot a new client gets first).
 */
export async function latencyBench(o: LatencyBenchOptions): Promise<Record<string, unknown>> {
  const { endpoints, stop } = await benchStack();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-bench-latency-'));
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    KAFKA_BROKERS: endpoints.brokers.join(','),
    SCHEMA_REGISTRY_URL: endpoints.registryUrl,
    TIDEWATCH_DATA_DIR: dataDir,
    TIDEWATCH_GATEWAY_PORT: '0',
    TIDEWATCH_TOPIC_PREFIX: `bench-latency-${crypto.randomBytes(4).toString('hex')}.`,
  };
  let stderr = '';
  const instance = spawn(process.execPath, [...PROCESSOR_NODE_FLAGS, BIN, 'start'], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  instance.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  let ws: WebSocket | undefined;
  let closeBare = async (): Promise<void> => undefined;
  try {
    const runtime = await waitFor('the instance up', 180_000, () => readRuntime(dataDir), instance);
    const token = fs.readFileSync(tokenFile(dataDir), 'utf8').trim();
    const total = o.rate * o.seconds;
    const latencies = new Float64Array(total);
    // Each sample split at the gateway's send (`at` on its message): event time → sent, and
    // sent → received (the socket and this process's event loop).
    const toGateway = new Float64Array(total);
    const transit = new Float64Array(total);
    const stamped = new Float64Array(total);
    let received = 0;
    let conflated = 0;
    let beyond = 0;
    let messages = 0;
    const client = new WebSocket(`${runtime.url.replace(/^http/, 'ws')}/ws`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws = client;
    let subscribed = false;
    client.on('message', (data) => {
      const at = Date.now();
      const m = JSON.parse(data.toString()) as {
        type: string;
        conflated?: boolean;
        at?: number;
        samples?: { host: string; ts: number }[];
      };
      if (m.type === 'subscribed') subscribed = true;
      if (m.type !== 'samples' || !m.samples) return;
      if (m.conflated) conflated++;
      messages++;
      for (const s of m.samples) {
        if (!s.host.startsWith('loadgen-')) continue;
        if (received >= total) {
          beyond++;
          continue;
        }
        toGateway[received] = (m.at ?? at) - s.ts;
        transit[received] = at - (m.at ?? at);
        stamped[received] = s.ts;
        latencies[received++] = at - s.ts;
      }
    });
    await new Promise<void>((resolve, reject) => {
      client.once('open', () => resolve());
      client.once('error', reject);
    });
    client.send(JSON.stringify({ type: 'subscribe', streams: ['samples'] }));
    await waitFor('the subscription', 10_000, () => (subscribed ? true : undefined));

    // The same samples read by a bare consumer in its own process: what Kafka alone takes (the
    // generator's batching, produce, fetch), against which the instance's share shows.
    const bare = o.kafkaOnly
      ? await bareConsumer({
          brokers: endpoints.brokers,
          registryUrl: endpoints.registryUrl,
          topic: topicNames(env.TIDEWATCH_TOPIC_PREFIX!).metrics,
          total,
        })
      : undefined;
    if (bare) closeBare = bare.close;

    const bareCpu = bare ? cpuWatch(bare.pid) : undefined;
    const bareBefore = bareCpu?.seconds() ?? 0;
    const clientBefore = process.cpuUsage();
    const cpuBefore = { ...threadCpuSeconds(instance.pid!), machine: machineBusySeconds(), at: Date.now() };
    const loadgen = spawn(
      process.execPath,
      [BIN, 'loadgen', '--hosts', String(o.hosts), '--rate', String(o.rate), '--total', String(total)],
      { env, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const loadgenCpu = cpuWatch(loadgen.pid!);
    let report = '';
    loadgen.stdout!.on('data', (d: Buffer) => (report += d.toString()));
    const code = await new Promise<number | null>((resolve) => loadgen.once('exit', resolve));
    if (code !== 0) throw new Error(`the load generator failed (exit ${code})`);
    // What is still on its way: until every sample is in or nothing came for 5 s.
    let last = -1;
    let quietSince = Date.now();
    while (received < total && Date.now() - quietSince < 5000) {
      if (received !== last) [last, quietSince] = [received, Date.now()];
      await sleep(250);
    }
    const cpuAfter = { ...threadCpuSeconds(instance.pid!), machine: machineBusySeconds(), at: Date.now() };
    const clientCpu = process.cpuUsage(clientBefore);
    const perSample = (seconds: number) => Math.round((seconds * 1e7) / Math.max(1, received)) / 10;
    const used = {
      instance_main: cpuAfter.main - cpuBefore.main,
      instance_helpers: cpuAfter.helpers - cpuBefore.helpers,
      load_generator: loadgenCpu.seconds(),
      bare_consumer: bareCpu ? bareCpu.seconds() - bareBefore : 0,
      client: (clientCpu.user + clientCpu.system) / 1e6,
    };
    loadgenCpu.stop();
    bareCpu?.stop();
    const machine = cpuAfter.machine - cpuBefore.machine;
    const named = Object.values(used).reduce((a, b) => a + b, 0);
    const view = latencyView(latencies, received);
    const split = warmupSplit(latencies, stamped, received, o.warmupSeconds * 1000);
    const kafkaOnly = bare ? await bare.report() : null;
    const instanceView = await instanceTimes(runtime.url, token);
    const generated = JSON.parse(report.trim().split('\n').at(-1) ?? '{}') as {
      samples_per_sec?: number;
      produce?: object;
    };
    return {
      scenario: 'latency',
      rate: o.rate,
      seconds: o.seconds,
      hosts: o.hosts,
      events_per_sec: generated.samples_per_sec,
      samples_sent: total,
      samples_received: received,
      samples_beyond_total: beyond,
      sample_messages: messages,
      conflated_messages: conflated,
      p50_ms: view.p50_ms,
      p90_ms: view.p90_ms,
      p99_ms: view.p99_ms,
      max_ms: view.max_ms,
      warmup_seconds: o.warmupSeconds,
      warmup: split.warmup,
      after_warmup: split.after,
      warmup_by_second: split.bySecond,
      // Where the time goes, hop by hop: the generator's batches from stamp to the broker's
      // acknowledgement, a bare consumer's view of the same samples (that plus fetch), and the
      // instance's time per batch in each stage before the fan-out.
      produce: generated.produce,
      kafka_only: kafkaOnly,
      to_gateway: latencyView(toGateway, received),
      gateway_to_client: latencyView(transit, received),
      // CPU while the load ran (from the generator's start until the last sample came), µs per
      // sample: the instance's main thread and its other threads (the embedded engine, detection,
      // the libuv pool), the load generator, the bare consumer, this client, the rest of the
      // machine (the broker and registry, mostly) and all of it; and the share of the machine's
      // cores that was busy.
      cpu_us_per_sample: {
        ...Object.fromEntries(Object.entries(used).map(([k, v]) => [k, perSample(v)])),
        rest: perSample(machine - named),
        machine: perSample(machine),
      },
      machine_busy_share:
        Math.round((machine / (os.cpus().length * ((cpuAfter.at - cpuBefore.at) / 1000))) * 100) / 100,
      stage_batch_ms: instanceView.stages,
      instance_event_loop_delay: instanceView.eventLoop,
      instance_gc: instanceView.gc,
    };
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- instance stderr (tail) ---\n${stderr}`);
  } finally {
    ws?.close();
    await closeBare().catch(() => undefined);
    instance.kill('SIGTERM');
    await new Promise((resolve) =>
      instance.exitCode !== null ? resolve(null) : instance.once('exit', resolve),
    );
    fs.rmSync(dataDir, { recursive: true, force: true });
    const admin = createKafka(endpoints.brokers, 'bench-latency', silentLogger).admin();
    await admin
      .connect()
      .then(() => admin.deleteTopics({ topics: Object.values(topicNames(env.TIDEWATCH_TOPIC_PREFIX!)) }))
      .catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await stop();
  }
}
