export interface DirectionCounters {
  bytes: number;
  packets: number;
  errors: number;
  dropped: number;
}

export interface InterfaceCounters {
  iface: string;
  receive: DirectionCounters;
  transmit: DirectionCounters;
}

/** Parses /proc/net/dev: bytes, packets, errors and drops per interface and direction. */
export function parseNetDev(text: string): InterfaceCounters[] {
  const out: InterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.includes('|')) continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16) continue;
    out.push({
      iface: line.slice(0, colon).trim(),
      receive: { bytes: f[0]!, packets: f[1]!, errors: f[2]!, dropped: f[3]! },
      transmit: { bytes: f[8]!, packets: f[9]!, errors: f[10]!, dropped: f[11]! },
    });
  }
  return out;
}
