import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/wait-for';

const WATCHDOG = path.join(__dirname, '..', '..', 'dist', 'stack', 'watchdog.js');

/** Alive and not a zombie (a killed orphan may wait to be reaped). */
function running(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]!);
  } catch {
    return false;
  }
}

/**
 * The stack's watchdog (`stack/watchdog.ts`) against real processes: an owner process starts
 * stand-ins for the JVMs (their command lines name a stack folder, as Kafka's and the registry's
 * do) and a watchdog for each, then is killed with SIGKILL, which no handler of its own survives.
 */
describe('the stack watchdog', () => {
  const marker = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-watchdog-'));
  const pids: number[] = [];
  let owner: ChildProcess | undefined;
  afterAll(() => {
    owner?.kill('SIGKILL');
    for (const pid of pids) if (running(pid)) process.kill(pid, 'SIGKILL');
    fs.rmSync(marker, { recursive: true, force: true });
  });

  it('stops what it guards when its owner dies, and never a process that is not ours', async () => {
    owner = spawn(
      process.execPath,
      [
        '-e',
        `
        const { spawn } = require('node:child_process');
        const { watchOver } = require(${JSON.stringify(WATCHDOG)});
        const start = (code, mark) => {
          const c = spawn(process.execPath, ['-e', code, mark], { detached: true, stdio: 'ignore' });
          c.unref();
          return c.pid;
        };
        const idle = 'setInterval(() => {}, 1e6)';
        const polite = start(idle, ${JSON.stringify(marker)});
        const stubborn = start("process.on('SIGTERM', () => {}); " + idle, ${JSON.stringify(marker)});
        const stranger = start(idle, 'not-the-stack');
        const watchdogs = [watchOver(polite, ${JSON.stringify(marker)}, 30000),
          watchOver(stubborn, ${JSON.stringify(marker)}, 500),
          watchOver(stranger, ${JSON.stringify(marker)}, 500)];
        process.stdout.write(JSON.stringify({ polite, stubborn, stranger, watchdogs }) + '\\n');
        setInterval(() => {}, 1e6);
        `,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    owner.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const started = await waitFor('the owner to start its processes', () =>
      out.includes('\n')
        ? (JSON.parse(out) as { polite: number; stubborn: number; stranger: number; watchdogs: number[] })
        : undefined,
    );
    pids.push(started.polite, started.stubborn, started.stranger, ...started.watchdogs);
    // The owner lives: nothing is touched (a process that ignores SIGTERM, to prove the escalation).
    await new Promise((r) => setTimeout(r, 300));
    expect([started.polite, started.stubborn, started.stranger].map(running)).toEqual([true, true, true]);

    owner.kill('SIGKILL');
    await waitFor('SIGTERM to stop the polite one', () => !running(started.polite) || undefined);
    await waitFor(
      'SIGKILL to stop the one that ignores SIGTERM',
      () => !running(started.stubborn) || undefined,
    );
    await waitFor('every watchdog to finish', () => !started.watchdogs.some(running) || undefined);
    expect(running(started.stranger)).toBe(true);
  });
});
