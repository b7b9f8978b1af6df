import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { asyncScheduler, map, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { reassignments, type Assignment, type Envelope } from '../../core/stream';
import { withSemiSpace } from '../../core/young-generation';
import type { MetricSample } from '../../schemas';
import type { EncodedStates } from '../../sinks/clickhouse/detector-state';
import { seriesKey, type Batch, type DetectionTicket, type StoredState } from '../stages';
import { joinDetected, NOTHING_DETECTED, type Detected, type Detection } from './detection';
import type { DetectionReply, DetectionRequest, DetectionSetup, SeriesDef } from './detection-protocol';

/**
 * The thread's semi-spaces, in MiB. What it allocates per batch is short-lived and its series'
 * states live outside its heap (`state-slab.ts`), so the processor's 64 MiB would mostly hold
 * garbage: 128 MiB of young generation against 16 here.
 */
const THREAD_SEMI_SPACE_MB = 8;

/** Series numbers handed out before they all start over (the thread forgets them too). */
const MAX_SERIES_NUMBERS = 1 << 20;

/** Where the thread's script is: beside this file once built; in the build when run from sources. */
function threadScript(): string {
  const here = path.join(__dirname, 'detection-thread.js');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '..', '..');
  return path.join(root, 'dist', path.relative(root, __dirname), 'detection-thread.js');
}

/**
 * Anomaly detection on a thread of its own. Its stage sends each batch's samples of owned
 * partitions to the thread (numbers only; a series' names once) and lets the batch go on at once
 * with a ticket (`Batch.detection`); the result to come waits here until the delivery asks for it
 * (`results`) before it writes what needs it. The thread runs the in-thread stage's scoring
 * (`anomalyScoring`) over the same samples in the same order, with the processor's clock, so
 * incidents come out as they would in the processor's own thread. The detector store lives
 * there; `takeDirty`, `unsaved` and `restore` reach it for the baselines. A thread that fails
 * fails every batch waiting on it (and the pipeline with them).
 */
export class DetectionWorker implements Detection {
  readonly stageName = 'detect-dispatch';
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve(r: DetectionReply): void; reject(e: Error): void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;
  /** Series numbers by topic:partition, then by series key. */
  private numbers = new Map<string, Map<string, number>>();
  private nextNumber = 0;
  private reset = false;
  /** Results to come, by ticket, until the delivery takes them. */
  private readonly pending = new Map<DetectionTicket, Promise<Detected>>();

  /** `onScored`: the seconds each batch took on the thread, once it is done. */
  constructor(
    readonly setup: DetectionSetup,
    private readonly onScored: (seconds: number) => void = () => undefined,
  ) {
    this.worker = withSemiSpace(
      THREAD_SEMI_SPACE_MB,
      () => new Worker(threadScript(), { workerData: setup }),
    );
    this.worker.unref(); // never what keeps a process alive: `close` ends it
    this.worker.on('message', (reply: DetectionReply) => {
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) w?.reject(new Error(`anomaly detection failed: ${reply.error}`));
      else w?.resolve(reply);
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => {
      if (!this.closing) this.fail(new Error(`the anomaly detection thread stopped (exit ${code})`));
    });
  }

  get maxSeries(): number {
    return this.setup.maxSeries;
  }

  /** The stage: hands each batch's samples to the thread; the batch goes on with its ticket. */
  stage<A>(
    assignment: Assignment,
    scheduler: SchedulerLike = asyncScheduler,
  ): OperatorFunction<Envelope<Batch<MetricSample, A>>, Envelope<Batch<MetricSample, A>>> {
    const reassigned = reassignments(assignment);
    return map((env) => {
      const disowned = reassigned() ? this.disowned(assignment) : undefined;
      const request = this.encode(env.payload, assignment, disowned, scheduler.now());
      const detected = this.ask(request, [request.samples.buffer as ArrayBuffer]).then((r): Detected => {
        const seconds = r.seconds ?? 0;
        this.onScored(seconds);
        return { anomalies: r.anomalies ?? [], evicted: r.evicted ?? 0, seconds };
      });
      detected.catch(() => undefined); // the delivery's wait on it sees the failure
      this.pending.set(request.id, detected);
      return { ...env, payload: { ...env.payload, detection: request.id } };
    });
  }

  /** The results of these tickets' batches, joined in order; an unknown ticket is a bug. */
  async results(tickets: readonly DetectionTicket[]): Promise<Detected> {
    if (tickets.length === 0) return NOTHING_DETECTED;
    const waits = tickets.map((t) => {
      const p = this.pending.get(t);
      this.pending.delete(t);
      return p ?? Promise.reject(new Error(`no anomaly detection under ticket ${t}`));
    });
    return joinDetected(await Promise.all(waits));
  }

  async takeDirty(limit: number | undefined, now: number): Promise<EncodedStates> {
    const { states } = await this.ask({ kind: 'takeDirty', id: this.nextId++, limit, now });
    return states ?? { count: 0, bytes: new Uint8Array(0) };
  }

  async settle(saved: boolean): Promise<void> {
    await this.ask({ kind: 'settle', id: this.nextId++, saved });
  }

  async restore(rows: readonly StoredState[]): Promise<number> {
    return (await this.ask({ kind: 'restore', id: this.nextId++, rows: [...rows] })).taken ?? 0;
  }

  /** Ends the thread (its detector state with it: save baselines first). Safe to call twice. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.fail(new Error('anomaly detection is closed'));
    this.pending.clear();
    await this.worker.terminate();
  }

  /** The samples of owned partitions as numbers, and the series the thread has not been told of. */
  private encode(
    batch: Batch<MetricSample, unknown>,
    assignment: Assignment,
    disowned: string[] | undefined,
    now: number,
  ): Extract<DetectionRequest, { kind: 'batch' }> {
    if (this.nextNumber + batch.records.length > MAX_SERIES_NUMBERS) {
      this.numbers = new Map();
      this.nextNumber = 0;
      this.reset = true;
    }
    const samples = new Float64Array(batch.records.length * 3);
    const defs: SeriesDef[] = [];
    let n = 0;
    // A batch is one partition's as a rule: ownership and numbering are looked up once per run.
    let topic = '';
    let partition = -1;
    let numbers: Map<string, number> | undefined;
    for (const record of batch.records) {
      const { value: s, source } = record;
      if (source.partition !== partition || source.topic !== topic) {
        ({ topic, partition } = source);
        const owned = assignment.owns(topic, partition);
        const where = `${topic}:${partition}`;
        numbers = owned ? this.numbers.get(where) : undefined;
        if (owned && !numbers) this.numbers.set(where, (numbers = new Map()));
      }
      if (!numbers) continue; // its new owner scores it
      const key = (record.series ??= seriesKey(s));
      let sid = numbers.get(key);
      if (sid === undefined) {
        numbers.set(key, (sid = this.nextNumber++));
        const { host, metric, unit, attributes } = s;
        defs.push({ sid, key, host, metric, unit, attributes, topic, partition });
      }
      samples[n++] = sid;
      samples[n++] = s.ts;
      samples[n++] = s.value;
    }
    const reset = this.reset;
    this.reset = false;
    return {
      kind: 'batch',
      id: this.nextId++,
      now,
      samples: n === samples.length ? samples : samples.slice(0, n),
      defs,
      reset,
      disowned,
    };
  }

  /** The partitions numbered so far that `assignment` no longer owns (their numbers are dropped). */
  private disowned(assignment: Assignment): string[] {
    const out: string[] = [];
    for (const where of this.numbers.keys()) {
      const colon = where.lastIndexOf(':');
      if (assignment.owns(where.slice(0, colon), Number(where.slice(colon + 1)))) continue;
      out.push(where);
      this.numbers.delete(where);
    }
    return out;
  }

  private ask(request: DetectionRequest, transfer: ArrayBuffer[] = []): Promise<DetectionReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      this.worker.postMessage(request, transfer);
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }
}
