import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { machineBusySeconds } from './process-usage';
import { systemClock } from '../core/clock';
import { PROCESSOR_NODE_FLAGS } from '../core/node-flags';
import type { FromMember, ToMember } from './group-member';
import type { ProcessingJob, ProcessingResult } from './pipeline-processor';

export interface GroupRun {
  /** From the first batch any member fetched to the moment the members' done events reached N. */
  seconds: number;
  /** After the group's first delivery: events and seconds. */
  steady?: { events: number; seconds: number };
  /** Busy CPU of the whole machine per event, µs, from `go` to `timed`. */
  machineUsPerEvent: number;
  /** Each member's own report, in the order of the jobs. */
  members: ProcessingResult[];
  /** Export rounds it took until `complete` said yes (0: it never did within the wait). */
  exportRounds: number;
}

/**
 * Runs `jobs.length` processors, each a process of its own, in one consumer group on the same
 * topic (the jobs share their `run`, hence their group id): starts them together; once the events
 * they have done add up to `events` (a record one member re-reads after another stored it counts
 * at both, so this can run ahead of what is stored) has them export what they stored, again
 * every 2 s, until `complete()` says every sample is in (or `waitS`, at least as long as the run
 * so far, passed); the run ends at their last report before that export. Then stops them.
 */
export async function inProcessorGroup(
  jobs: ProcessingJob[],
  events: number,
  complete: () => Promise<boolean>,
  waitS = 180,
): Promise<GroupRun> {
  const members = jobs.map((job) => memberProcess(job));
  try {
    await Promise.all(members.map((m) => m.next('ready')));
    const timing = new GroupTiming(members.length, events);
    const timed = new Promise<void>((resolve) =>
      members.forEach((m, i) => m.onProgress((p) => timing.update(i, p) && resolve())),
    );
    const machineBefore = machineBusySeconds();
    const started = systemClock();
    members.forEach((m) => m.send({ go: true }));
    const ended = members.map((m) =>
      m.result.then(() => Promise.reject(new Error('a processor ended before the group was done'))),
    );
    await Promise.race([timed, ...ended]);
    // Their count can run ahead of what is stored: the run ends at the last report before the
    // export that has every sample (each member takes its CPU figures as it starts to export).
    let machineUsPerEvent = 0;
    let exportRounds = 0;
    const wait = Math.max(waitS * 1000, systemClock() - started);
    for (let round = 1, start = systemClock(); systemClock() - start < wait; round++) {
      const at = timing.lastReport;
      machineUsPerEvent = Math.round(((machineBusySeconds() - machineBefore) / events) * 1e7) / 10;
      members.forEach((m) => m.send({ export: true }));
      await Promise.all(members.map((m) => m.next('exported')));
      timing.endAt(at);
      if (await complete()) {
        exportRounds = round;
        break;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    members.forEach((m) => m.send({ timed: true }));
    members.forEach((m) => m.send({ stop: true }));
    const results = await Promise.all(members.map((m) => m.result));
    return { ...timing.figures(), machineUsPerEvent, members: results, exportRounds };
  } catch (err) {
    for (const m of members) m.kill();
    throw err;
  }
}

/**
 * The group's timing from its members' progress reports (each a running total of the events it
 * has done, the time of its first fetch and of the report). `update` says when their sum first
 * reaches `events`; the run ends at the time given to `endAt` (a report's, once what is stored
 * was checked).
 */
export class GroupTiming {
  private readonly done: number[];
  private first = Infinity;
  private firstDelivery?: { at: number; events: number };
  private end = 0;
  private reached = false;
  /** The time of the latest report. */
  lastReport = 0;

  constructor(
    members: number,
    private readonly events: number,
  ) {
    this.done = new Array<number>(members).fill(0);
  }

  /** Counts member `i`'s report; true on the one that first brings the sum to `events`. */
  update(i: number, p: { done: number; first: number; at: number }): boolean {
    this.done[i] = p.done;
    if (p.first > 0) this.first = Math.min(this.first, p.first);
    this.lastReport = Math.max(this.lastReport, p.at);
    const total = this.done.reduce((a, b) => a + b, 0);
    this.firstDelivery ??= { at: p.at, events: total };
    if (this.reached || total < this.events) return false;
    this.reached = true;
    this.end = p.at;
    return true;
  }

  /** Ends the run at `at` (by default at the report that brought the sum to `events`). */
  endAt(at: number): void {
    this.end = at;
  }

  /** From the first fetch to the end, and after the group's first delivery. */
  figures(): Pick<GroupRun, 'seconds' | 'steady'> {
    const d = this.firstDelivery;
    return {
      seconds: (this.end - this.first) / 1000,
      steady: d && { events: this.events - d.events, seconds: (this.end - d.at) / 1000 },
    };
  }
}

/** One member's process and its side of the protocol. */
function memberProcess(job: ProcessingJob) {
  const child: ChildProcess = fork(path.join(__dirname, 'pipeline-processor.js'), [], {
    execArgv: ['--expose-gc', ...PROCESSOR_NODE_FLAGS], // as `tidewatch start` runs
  });
  const waiting = new Map<string, () => void>();
  let onProgress: (p: { done: number; first: number; at: number }) => void = () => undefined;
  let failed: (err: Error) => void = () => undefined;
  const result = new Promise<ProcessingResult>((resolve, reject) => {
    let reply: ProcessingResult | undefined;
    let error: string | undefined;
    failed = reject;
    child.on('message', (message: FromMember) => {
      if ('progress' in message) onProgress(message.progress);
      else if ('result' in message) reply = message.result;
      else if ('error' in message) error = message.error;
      else for (const key of Object.keys(message)) waiting.get(key)?.();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (reply) resolve(reply);
      else reject(new Error(`a processor process failed (exit ${code}): ${error ?? 'no report'}`));
    });
  });
  result.catch(() => undefined); // surfaced through `next` or awaited at the end
  child.send(job);
  return {
    result,
    send: (message: ToMember) => child.connected && child.send(message),
    onProgress: (fn: typeof onProgress) => (onProgress = fn),
    /** Resolves on the member's next `key` message; rejects if the process ends first. */
    next: (key: 'ready' | 'exported') =>
      new Promise<void>((resolve, reject) => {
        waiting.set(key, () => {
          waiting.delete(key);
          resolve();
        });
        result.then(() => reject(new Error(`a processor ended before '${key}'`)), reject);
      }),
    kill: () => {
      failed(new Error('stopped'));
      if (child.exitCode === null) child.kill();
    },
  };
}
