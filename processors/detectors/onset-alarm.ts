/**
 * Turns per-sample strangeness into alarms at onsets. A run of strange samples (surprise, the
 * −log10 of the combined tail probability, at or above `gate`) is one episode: its first sample
 * raises the alarm, and the next `onsetSpan − 1` samples only when they are at least
 * `recordStep` stranger than the last alarm (a change of level builds up over a few samples: at
 * a high alarm level the episode's onset is where it crosses that level). Then nothing, however long the
 * episode lasts: a new level or a stuck value is one alarm, not hundreds. The episode ends after
 * `quietToEnd` calm samples; a new one raises an alarm `hold` samples after the last one (the
 * suppression that NAB-style detectors apply after a detection), or sooner if it is stranger
 * than the last alarm by `recordStep` (the last one's strength fading over the hold). Every `adaptAfter` strange
 * samples of an episode the caller re-centres its models on the new regime.
 */
export interface AlarmOptions {
  gate: number;
  onsetSpan: number;
  recordStep: number;
  quietToEnd: number;
  hold: number;
  adaptAfter: number;
  /** Fraction of the count of recent alarms forgotten per sample. */
  rateDecay: number;
}

export const DEFAULT_ALARM: AlarmOptions = {
  gate: 2,
  onsetSpan: 10,
  recordStep: 2,
  quietToEnd: 10,
  hold: 200,
  adaptAfter: 15,
  rateDecay: 1 / 5000,
};

export interface AlarmState {
  /** Samples since the episode began; −1 outside an episode. */
  age: number;
  /** Surprise of the last alarm: within `hold` of it, only a stronger one raises another. */
  peak: number;
  /** Calm samples in a row within the episode. */
  quiet: number;
  /** Strange samples in the episode. */
  strange: number;
  /** Samples since the last alarm. */
  since: number;
  /** 1 while the episode is a stuck value (it ends when the series moves again, strangely or not). */
  stuck: number;
  /** Alarms raised lately (decayed by `rateDecay` per sample). */
  rate: number;
}

export const newAlarm = (): AlarmState => ({
  age: -1,
  peak: 0,
  quiet: 0,
  strange: 0,
  since: 1e9,
  stuck: 0,
  rate: 0,
});

/** The alarm's numbers, in the order a state slab keeps them. */
export const ALARM_FIELDS = Object.keys(newAlarm()) as ReadonlyArray<keyof AlarmState>;

/**
 * What one sample did, overwritten by every step (no allocation per sample). `surprise` is the
 * alarm's strength: the sample's surprise less log10(1 + alarms raised lately), so a series that
 * alarms often (its own normal is eventful) needs a stranger sample for the same score.
 */
export const alarmOutcome = { alarm: false, ongoing: false, adapt: false, surprise: 0 };

function raise(a: AlarmState, surprise: number): void {
  alarmOutcome.alarm = true;
  alarmOutcome.surprise = surprise - Math.log10(1 + a.rate);
  a.since = 0;
  a.peak = surprise;
  a.rate += 1;
}

/** How strange a sample must be to raise an alarm this soon after the last one: the last one's surprise, fading over the hold, plus `recordStep`. */
const barrier = (a: AlarmState, o: AlarmOptions) => a.peak * Math.max(0, 1 - a.since / o.hold) + o.recordStep;

/** One sample's surprise; `stuck` says the strangest finding is a stuck value. */
export function alarmStep(
  a: AlarmState,
  surprise: number,
  stuck: boolean,
  o: AlarmOptions,
): typeof alarmOutcome {
  const out = alarmOutcome;
  const strange = surprise >= o.gate;
  a.since++;
  a.rate *= 1 - o.rateDecay;
  out.alarm = false;
  out.adapt = false;
  // A stuck value that comes loose is over: what the series does next is a new episode.
  if (a.stuck && !stuck) a.age = -1;
  if (a.age < 0) {
    out.ongoing = strange;
    if (!strange) return out;
    a.age = 0;
    a.quiet = 0;
    a.strange = 1;
    a.stuck = stuck ? 1 : 0;
    if (a.since >= o.hold || surprise >= barrier(a, o)) raise(a, surprise);
    return out;
  }
  a.age++;
  if (strange) {
    a.quiet = 0;
    a.strange++;
  } else if (++a.quiet >= o.quietToEnd) {
    a.age = -1;
    a.stuck = 0;
    out.ongoing = false;
    return out;
  }
  out.ongoing = true;
  if (strange && a.age < o.onsetSpan && surprise >= barrier(a, o)) raise(a, surprise);
  out.adapt = strange && a.strange % o.adaptAfter === 0;
  return out;
}
