import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';
import type { EnvSetting } from './env';

/**
 * Secrets read from files: for every secret variable `X`, `X_FILE` names a file holding its value
 * (a Kubernetes or Docker secret mount). One trailing newline is dropped; the value is never put in
 * a message, only the variable and the file's path. Setting both `X` and `X_FILE` is an error.
 */
export function secretsFromFiles(
  env: Record<string, string | undefined>,
  settings: readonly EnvSetting[],
  cwd: string,
  read: (file: string) => string = (file) => fs.readFileSync(file, 'utf8'),
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const setting of settings) {
    if (!setting.secret) continue;
    const fileVar = `${setting.name}_FILE`;
    const file = env[fileVar];
    if (file === undefined || file === '') continue;
    if (env[setting.name] !== undefined && env[setting.name] !== '')
      throw new ConfigError(`set ${setting.name} or ${fileVar}, not both (${setting.path})`);
    let text: string;
    try {
      text = read(path.resolve(cwd, file));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`${fileVar} (${setting.path}): cannot read ${file} (${code})`);
    }
    const value = text.replace(/\r?\n$/, '');
    if (value === '') throw new ConfigError(`${fileVar} (${setting.path}): ${file} is empty`);
    out[setting.name] = value;
  }
  return out;
}
