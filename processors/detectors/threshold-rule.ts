import { fmt } from './detector';

/**
 * Rules users write next to the learned detectors, Prometheus style:
 *   "system.cpu.utilization > 0.9 for 2m"            fires after 2 minutes above 0.9
 *   "system.filesystem.utilization >= 0.95 clear 0.9" fires at once, clears below 0.9 (hysteresis)
 * `metric` and `host` accept `*` wildcards. Time is event time, so replays behave like live data.
 */
export type Comparison = '>' | '>=' | '<' | '<=';

const WORDS: Record<Comparison, string> = {
  '>': 'is above',
  '>=': 'is at or above',
  '<': 'is below',
  '<=': 'is at or below',
};

export interface ThresholdRule {
  name: string;
  metric: string;
  host: string;
  op: Comparison;
  threshold: number;
  forMs: number;
  /** The value that clears a firing rule; defaults to the threshold. */
  clear: number;
}

export interface RuleState {
  pendingSince: number | undefined;
  firing: boolean;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "2m", "30s", "1h30m", "500ms" → milliseconds; undefined if it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * UNITS[p[2]!]!, 0);
}

const RULE =
  /^\s*(\S+)\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?(?:e-?\d+)?)(?:\s+for\s+(\S+))?(?:\s+clear\s+(-?\d+(?:\.\d+)?(?:e-?\d+)?))?\s*$/i;

/** Parses the text form; throws with what to fix. */
export function parseRule(text: string, host = '*', name?: string): ThresholdRule {
  const m = RULE.exec(text);
  if (!m)
    throw new Error(
      `rule "${text}" is not of the form "<metric> <op> <number> [for <duration>] [clear <number>]", e.g. "system.cpu.utilization > 0.9 for 2m"`,
    );
  const forMs = m[4] === undefined ? 0 : parseDuration(m[4]);
  if (forMs === undefined) throw new Error(`rule "${text}": "${m[4]}" is not a duration like 30s, 2m or 1h`);
  const threshold = Number(m[3]);
  const clear = m[5] === undefined ? threshold : Number(m[5]);
  const op = m[2] as Comparison;
  const rising = op === '>' || op === '>=';
  if (rising ? clear > threshold : clear < threshold)
    throw new Error(`rule "${text}": clear ${clear} must be on the other side of ${threshold}`);
  return { name: name ?? text.trim(), metric: m[1]!, host, op, threshold, forMs, clear };
}

function glob(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** A compiled rule: `matches` for a series, `step` for each of its samples. */
export function compileRule(rule: ThresholdRule) {
  const metric = glob(rule.metric);
  const host = glob(rule.host);
  const breaches = (x: number) =>
    rule.op === '>'
      ? x > rule.threshold
      : rule.op === '>='
        ? x >= rule.threshold
        : rule.op === '<'
          ? x < rule.threshold
          : x <= rule.threshold;
  const clears = (x: number) => (rule.op === '>' || rule.op === '>=' ? x < rule.clear : x > rule.clear);
  return {
    rule,
    matches: (h: string, m: string) => metric.test(m) && host.test(h),
    newState: (): RuleState => ({ pendingSince: undefined, firing: false }),
    /** Advances the rule by one sample; returns whether it fires now. */
    step(s: RuleState, t: number, x: number): boolean {
      if (s.firing) {
        if (clears(x)) {
          s.firing = false;
          s.pendingSince = undefined;
        }
        return s.firing;
      }
      if (!breaches(x)) {
        s.pendingSince = undefined;
        return false;
      }
      s.pendingSince ??= t;
      s.firing = t - s.pendingSince >= rule.forMs;
      return s.firing;
    },
    describe: (x: number) =>
      `${fmt(x)} ${WORDS[rule.op]} ${rule.threshold}${rule.forMs ? ` for at least ${formatDuration(rule.forMs)}` : ''} (rule "${rule.name}")`,
  };
}

export type CompiledRule = ReturnType<typeof compileRule>;

function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const)
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}
