/** Wall-clock time in epoch milliseconds. Injected everywhere outside RxJS so tests can control time. */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
