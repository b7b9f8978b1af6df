import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { openPrivateAppend } from '../core/private-files';

export interface JavaLaunch {
  args: string[];
  cwd: string;
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts a JVM detached from this process (its own session), output to a log file; returns its pid. */
export function launchJava(launch: JavaLaunch): number {
  const log = openPrivateAppend(launch.logFile);
  const child = spawn('java', launch.args, {
    cwd: launch.cwd,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, ...launch.env },
  });
  fs.closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start java ${launch.args.at(-1)}`);
  return child.pid;
}

/** True when `pid` is alive and its command line mentions `marker` (guards against pid reuse). */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return true;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopProcess(pid: number, marker: string, graceMs = 20_000): Promise<void> {
  if (!isOurProcess(pid, marker)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isOurProcess(pid, marker)) return;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
