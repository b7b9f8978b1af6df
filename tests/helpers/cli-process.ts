import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { waitFor } from './wait-for';

export const CLI = path.join(__dirname, '..', '..', 'bin', 'tidewatch.js');

export interface RunningCli {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Runs `tidewatch <args>` as a real child process, collecting its stdout lines. */
export function spawnCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop() ?? '';
    stdout.push(...lines);
  });
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout, stderr: () => stderr, exited };
}

/** Waits for a stdout line matching `pattern`; on timeout the error carries the process's stderr. */
export async function waitForLine(
  cli: RunningCli,
  pattern: RegExp,
  what: string,
  timeoutMs = 180_000,
): Promise<string> {
  try {
    return await waitFor(what, () => cli.stdout.find((l) => pattern.test(l)), timeoutMs);
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- stderr ---\n${cli.stderr()}`);
  }
}

/** Runs `tidewatch <args>` to completion. */
export function runCli(
  args: string[],
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
