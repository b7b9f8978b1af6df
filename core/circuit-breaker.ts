import type { Clock } from './clock';
import { TidewatchError } from './errors';
import type { Sink } from './stream';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failures: number;
  /** How long it stays open before letting one trial call through. */
  openMs: number;
  clock: Clock;
  onStateChange?: (state: BreakerState, lastError: unknown) => void;
}

/** Refused without trying: the breaker is open. Retriable, so the caller's backoff waits it out. */
export class BreakerOpenError extends TidewatchError {
  constructor(name: string, retryInMs: number, cause: unknown) {
    super('TW_ERR_BREAKER_OPEN', `${name} is failing; next trial in ${Math.ceil(retryInMs)} ms`, {
      retriable: true,
      cause,
    });
  }
}

export interface CircuitBreaker {
  readonly state: BreakerState;
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/**
 * closed → (failures in a row) → open → (openMs) → half_open: one trial call; success closes,
 * failure opens again. While open, calls fail at once with a retriable `BreakerOpenError`
 * instead of adding load to a target that is already failing.
 */
export function circuitBreaker(name: string, o: BreakerOptions): CircuitBreaker {
  if (!(o.failures >= 1)) throw new TypeError('circuit breaker: failures must be at least 1');
  let state: BreakerState = 'closed';
  let consecutive = 0;
  let openedAt = 0;
  let trialRunning = false;
  let lastError: unknown;
  const move = (to: BreakerState) => {
    if (to === state) return;
    state = to;
    o.onStateChange?.(to, lastError);
  };
  return {
    get state() {
      return state;
    },
    async run(fn) {
      if (state === 'open') {
        const wait = openedAt + o.openMs - o.clock();
        if (wait > 0) throw new BreakerOpenError(name, wait, lastError);
        move('half_open');
      }
      const trial = state === 'half_open';
      if (trial) {
        if (trialRunning) throw new BreakerOpenError(name, o.openMs, lastError);
        trialRunning = true;
      }
      try {
        const result = await fn();
        consecutive = 0;
        move('closed');
        return result;
      } catch (err) {
        lastError = err;
        consecutive++;
        if (trial || consecutive >= o.failures) {
          openedAt = o.clock();
          move('open');
        }
        throw err;
      } finally {
        if (trial) trialRunning = false;
      }
    },
  };
}

/** The same sink, its writes going through `breaker`. */
export function withBreaker<T>(sink: Sink<T>, breaker: CircuitBreaker): Sink<T> {
  return {
    name: sink.name,
    write: (batch) => breaker.run(() => sink.write(batch)),
    close: () => sink.close(),
  };
}
