import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE, privateDir, writePrivateFile } from '../../core/private-files';

export const tokenFile = (dataDir: string) => path.join(dataDir, 'token');

/** The configured token, else the one kept in the data directory, else a new one saved there (0600). */
export function loadOrCreateToken(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const file = tokenFile(dataDir);
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 16) {
      fs.chmodSync(file, PRIVATE_FILE_MODE); // an older version may have left it readable
      return existing;
    }
  } catch {
    // first start
  }
  const token = crypto.randomBytes(24).toString('base64url');
  privateDir(dataDir);
  writePrivateFile(file, `${token}\n`);
  return token;
}
