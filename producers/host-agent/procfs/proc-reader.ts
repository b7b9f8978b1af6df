import fs from 'node:fs';
import path from 'node:path';

/**
 * Reads the kernel's /proc (or a recorded copy of it, in tests). Collectors read procfs directly
 * because it is what the kernel exposes and costs microseconds, where spawning `ps`, `df` or `ss`
 * (as general-purpose libraries do) costs tens of milliseconds of CPU per call. Reads are
 * synchronous: procfs files are generated in memory and never wait on a disk, and one read(2) on
 * the main thread costs a fraction of the four thread-pool round trips of fs.promises.readFile.
 * The exception is a process's command line, which the kernel reads from that process's memory and
 * which can stall while it is being swapped or paged: `readSlow` stays asynchronous, under the
 * collector's timeout.
 */
export interface ProcReader {
  readonly root: string;
  read(file: string): Promise<string>;
  /** The file's text, or undefined when it does not exist (a process that just exited, no IPv6). */
  readIfExists(file: string): Promise<string | undefined>;
  /** Like readIfExists, off the main thread: for files that may block (`<pid>/cmdline`). */
  readSlow(file: string): Promise<string | undefined>;
  list(dir: string): Promise<string[]>;
}

const missing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES';
};

export function procReader(root = '/proc'): ProcReader {
  const at = (file: string) => path.join(root, file);
  return {
    root,
    read: async (file) => fs.readFileSync(at(file), 'utf8'),
    async readIfExists(file) {
      try {
        return fs.readFileSync(at(file), 'utf8');
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    async readSlow(file) {
      try {
        return await fs.promises.readFile(at(file), 'utf8');
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    list: async (dir) => fs.readdirSync(at(dir)),
  };
}
