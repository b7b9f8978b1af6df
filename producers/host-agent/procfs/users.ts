import fs from 'node:fs';

/** uid → user name from an /etc/passwd-format file, read once; an unknown uid shows as its number. */
export function userNames(passwdFile = '/etc/passwd'): (uid: string) => string {
  let names: Map<string, string> | undefined;
  return (uid) => {
    if (!names) {
      names = new Map();
      try {
        for (const line of fs.readFileSync(passwdFile, 'utf8').split('\n')) {
          const [name, , id] = line.split(':');
          if (name && id !== undefined) names.set(id, name);
        }
      } catch {
        // No passwd file (a minimal container): uids stay numeric.
      }
    }
    return names.get(uid) ?? uid;
  };
}
