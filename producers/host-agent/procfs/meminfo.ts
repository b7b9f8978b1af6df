/** Parses /proc/meminfo into bytes by field name (`MemTotal`, `MemAvailable`, `SwapFree`, …). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = /^(\w+(?:\(\w+\))?):\s+(\d+)(\s+kB)?/.exec(line);
    if (match) out[match[1]!] = Number(match[2]) * (match[3] ? 1024 : 1);
  }
  return out;
}
