import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A process that stops `pid` when this process ends, however it ends (a crash, SIGKILL, the OOM
 * killer): Linux's PR_SET_PDEATHSIG is out of Node's reach, so a tiny `sh` holds the read end of a
 * pipe whose write end only this process has. The kernel closes it when this process dies; `read`
 * then returns and the script stops the JVM (SIGTERM, SIGKILL after the grace period), provided
 * it is still ours (its command line names the stack folder: no pid reuse victim).
 */
const SCRIPT = `
read _
ours() { kill -0 "$1" 2>/dev/null && { [ ! -r "/proc/$1/cmdline" ] || grep -aqF -- "$2" "/proc/$1/cmdline"; }; }
ours "$1" "$2" || exit 0
kill -TERM "$1" 2>/dev/null
i=0
while [ "$i" -lt "$3" ] && ours "$1" "$2"; do sleep 0.1; i=$((i + 1)); done
ours "$1" "$2" && kill -KILL "$1" 2>/dev/null
exit 0
`;

const held = new Set<ChildProcess>();

/** The name the watchdog runs under (its `$0`), to recognise it in a process list. */
export const WATCHDOG_NAME = 'tidewatch-stack-watchdog';

/** Starts a watchdog for `pid` (whose command line contains `marker`); returns the watchdog's pid. */
export function watchOver(pid: number, marker: string, graceMs: number): number {
  const child = spawn(
    '/bin/sh',
    ['-c', SCRIPT, WATCHDOG_NAME, String(pid), marker, String(Math.ceil(graceMs / 100))],
    {
      // Its own session: a Ctrl-C or a kill of this process group must not take the watchdog along.
      detached: true,
      // Only stdin, never read or written: an idle pipe does not keep this process's event loop alive.
      stdio: ['pipe', 'ignore', 'ignore'],
    },
  );
  child.unref();
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  held.add(child); // the pipe must stay open as long as this process lives
  child.on('exit', () => held.delete(child));
  if (child.pid === undefined) throw new Error('could not start the stack watchdog (/bin/sh)');
  return child.pid;
}
