import fs from 'node:fs';

/**
 * Tidewatch's state is private to the user who runs it: telemetry, the access token and the
 * stack's state are nobody else's business on a shared host. Folders are created 0700 and files
 * 0600 whatever the umask, and an existing one (from an older version) is brought back to that.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and missing parents) 0700; makes an existing `dir` 0700 too. */
export function privateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Writes `file` with mode 0600, an existing file's mode corrected before its new content lands. */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  const fd = fs.openSync(file, 'w', PRIVATE_FILE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
    fs.writeFileSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens `file` for appending, created 0600 (an existing one made 0600); returns the descriptor. */
export function openPrivateAppend(file: string): number {
  const fd = fs.openSync(file, 'a', PRIVATE_FILE_MODE);
  fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}
