import fs from 'node:fs';
import path from 'node:path';
import { writePrivateFile } from '../core/private-files';

/** What a running instance tells the CLI: where its API is. Lives in the data directory (0600). */
export interface RuntimeInfo {
  pid: number;
  url: string;
  startedAt: string;
}

const file = (dataDir: string) => path.join(dataDir, 'runtime.json');

export function writeRuntime(dataDir: string, info: RuntimeInfo): void {
  writePrivateFile(file(dataDir), JSON.stringify(info, null, 2));
}

export function removeRuntime(dataDir: string, pid: number): void {
  if (readRuntime(dataDir)?.pid === pid) fs.rmSync(file(dataDir), { force: true });
}

/** The running instance for this data directory, if its process is alive. */
export function readRuntime(dataDir: string): RuntimeInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(file(dataDir), 'utf8')) as RuntimeInfo;
    process.kill(info.pid, 0);
    return info;
  } catch {
    return undefined;
  }
}
