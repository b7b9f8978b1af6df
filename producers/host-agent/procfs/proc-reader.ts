import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Reads the kernel's /proc (or a recorded copy of it, in tests). Collectors read procfs directly
 * because it is what the kernel exposes and costs microseconds, where spawning `ps`, `df` or `ss`
 * (as general-purpose libraries do) costs tens of milliseconds of CPU per call.
 */
export interface ProcReader {
  readonly root: string;
  read(file: string): Promise<string>;
  /** The file's text, or undefined when it does not exist (a process that just exited, no IPv6). */
  readIfExists(file: string): Promise<string | undefined>;
  list(dir: string): Promise<string[]>;
}

export function procReader(root = '/proc'): ProcReader {
  const at = (file: string) => path.join(root, file);
  return {
    root,
    read: (file) => fs.readFile(at(file), 'utf8'),
    async readIfExists(file) {
      try {
        return await fs.readFile(at(file), 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ESRCH' || code === 'EACCES') return undefined;
        throw err;
      }
    },
    list: (dir) => fs.readdir(at(dir)),
  };
}
