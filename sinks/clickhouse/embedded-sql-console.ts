import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { TidewatchError } from '../../core/errors';
import type { ConsoleJob, ConsoleReply, ConsoleSetup } from './console-protocol';
import { ConsoleQueue } from './console-queue';
import { resultOf, type SqlConsole } from './sql-console';

/** Where the thread's script is: beside this file once built; in the build when run from sources. */
function threadScript(): string {
  const here = path.join(__dirname, 'console-thread.js');
  if (fs.existsSync(here)) return here;
  const root = path.resolve(__dirname, '..', '..');
  return path.join(root, 'dist', path.relative(root, __dirname), 'console-thread.js');
}

/** One console thread, started on its first query and again after it failed. */
class ConsoleThread {
  private worker?: Worker;
  private pending?: { resolve: (r: ConsoleReply) => void; reject: (e: Error) => void };

  constructor(private readonly setup: ConsoleSetup) {}

  run(job: ConsoleJob): Promise<ConsoleReply> {
    const worker = (this.worker ??= this.start());
    // Referenced while a query runs (a command waiting for its answer stays up), not when idle.
    worker.ref();
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      worker.postMessage(job);
    });
  }

  private start(): Worker {
    const worker = new Worker(threadScript(), { workerData: this.setup });
    worker.unref();
    worker.on('message', (reply: ConsoleReply) => {
      worker.unref();
      const pending = this.pending;
      this.pending = undefined;
      pending?.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      const pending = this.pending;
      this.pending = undefined;
      pending?.reject(
        new TidewatchError('TW_ERR_CLICKHOUSE_QUERY', `the console thread failed: ${err.message}`),
      );
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    return worker;
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.ref(); // until it has exited: close() resolves even when nothing else keeps the process up
    worker.postMessage('stop');
    await exited;
  }
}

/**
 * The console on the embedded engine: `maxRunning` threads of its own (`console-thread.ts`),
 * each running one query at a time in a fresh sandboxed session; the queue bounds how many wait.
 * A long query holds its thread and one core (`max_threads = 1`), never the pipeline's inserts or
 * the gateway's own queries, which run on the main connection through libuv's pool.
 */
export function embeddedSqlConsole(setup: ConsoleSetup): SqlConsole {
  const { maxRunning, maxWaiting, maxExecutionSeconds } = setup.limits;
  const queue = new ConsoleQueue(maxRunning, maxWaiting, Math.min(maxExecutionSeconds, 60));
  const threads = Array.from({ length: maxRunning }, () => new ConsoleThread(setup));
  let nextId = 0;
  let closing: Promise<void> | undefined;
  const underWay = new Set<Promise<unknown>>();
  return {
    queue,
    run(sql, params = {}) {
      if (closing)
        return Promise.reject(new TidewatchError('TW_ERR_CLICKHOUSE_QUERY', 'the SQL console is closed'));
      const job = queue.run(async (slot) =>
        resultOf(await threads[slot]!.run({ id: nextId++, sql, params })),
      );
      underWay.add(job);
      void job.catch(() => undefined).finally(() => underWay.delete(job));
      return job;
    },
    close() {
      closing ??= (async () => {
        await Promise.allSettled([...underWay]);
        await Promise.all(threads.map((t) => t.stop()));
      })();
      return closing;
    },
  };
}
