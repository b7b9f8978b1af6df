import v8 from 'node:v8';
import type { Worker } from 'node:worker_threads';

const FLAG = '--max-semi-space-size';

/** The semi-space size this process was started with, in MiB (0: V8's own default). */
export function processSemiSpaceMb(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): number {
  let mb = 0;
  for (const arg of [...nodeOptions.split(/\s+/), ...execArgv]) {
    const [name, value] = arg.split('=');
    // V8 reads `_` and `-` in a flag's name alike.
    if (name?.replaceAll('_', '-') === FLAG && value !== undefined && Number.isInteger(Number(value)))
      mb = Number(value);
  }
  return mb;
}

/**
 * Starts a worker thread whose young generation has `semiSpaceMb` semi-spaces, whatever the
 * process's own. A worker's `resourceLimits.maxYoungGenerationSizeMb` does not do it: a
 * `--max-semi-space-size` the process was started with (the processor's 64 MiB,
 * `node-flags.ts`) overrides it. V8 reads the flag when an isolate is made, which for a worker
 * happens on its own thread once started, so the flag is set for that while and set back when
 * the worker is online (or gone); isolates made already keep what they have.
 */
export function withSemiSpace(semiSpaceMb: number, start: () => Worker): Worker {
  v8.setFlagsFromString(`${FLAG}=${semiSpaceMb}`);
  let worker: Worker;
  try {
    worker = start();
  } catch (err) {
    v8.setFlagsFromString(`${FLAG}=${processSemiSpaceMb()}`);
    throw err;
  }
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    v8.setFlagsFromString(`${FLAG}=${processSemiSpaceMb()}`);
  };
  worker.once('online', restore);
  worker.once('exit', restore);
  return worker;
}
