import { TidewatchError } from './errors';

export interface RetryOptions {
  /** First backoff, in ms. */
  initialMs: number;
  /** Cap on one backoff, in ms. */
  maxMs: number;
  /** Attempts in all, including the first; Infinity retries until `signal` aborts. */
  attempts: number;
  signal?: AbortSignal;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/** Exponential backoff with full jitter: a uniform delay in [0, min(max, initial·2^attempt)]. */
export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'initialMs' | 'maxMs' | 'random'>,
): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * ceiling);
}

export function isRetriable(err: unknown): boolean {
  return err instanceof TidewatchError ? err.retriable : false;
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `fn` until it succeeds, retrying only errors that say they are retriable. */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const last = attempt + 1 >= options.attempts;
      if (!isRetriable(err) || last || options.signal?.aborted) throw err;
      const delay = backoffDelay(attempt, options);
      options.onRetry?.(err, attempt + 1, delay);
      await sleep(delay, options.signal);
    }
  }
}
