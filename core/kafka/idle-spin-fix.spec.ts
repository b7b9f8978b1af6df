import { idleSpinFix } from './idle-spin-fix';
import { installKafkajsPatches } from './patches';

interface Queue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}
type QueueClass = new (options: object) => Queue;

/* eslint-disable @typescript-eslint/no-require-imports */
/** kafkajs's request queue in a module registry of its own, where no patch is installed: the oracle. */
let Pristine!: QueueClass;
jest.isolateModules(() => {
  Pristine = require('kafkajs/src/network/requestQueue/index.js');
});
installKafkajsPatches();
const Patched = require('kafkajs/src/network/requestQueue/index.js') as QueueClass;
/* eslint-enable @typescript-eslint/no-require-imports */

const options = {
  instrumentationEmitter: { emit: () => undefined },
  maxInFlightRequests: 1,
  requestTimeout: 30_000,
  enforceRequestTimeout: false,
  clientId: 'test',
  broker: 'b:9092',
  logger: { debug: () => undefined },
};

/**
 * What a queue does when asked to schedule a check of its pending requests, in a state: whether
 * it arms a timer, and after how many milliseconds the check runs (none within 2 s: -1).
 */
function schedule(Queue: QueueClass, state: { pending: number; throttledFor: number; armed: boolean }) {
  jest.useFakeTimers({ now: 1_700_000_000_000 });
  try {
    const q = new Queue(options);
    for (let i = 0; i < state.pending; i++) q.pending.push({});
    q.throttledUntil = state.throttledFor === 0 ? -1 : Date.now() + state.throttledFor;
    if (state.armed) q.throttleCheckTimeoutId = setTimeout(() => undefined, 5_000);
    const before = q.throttleCheckTimeoutId;
    const check = jest.spyOn(q, 'checkPendingRequests').mockImplementation(() => undefined);
    q.scheduleCheckPendingRequests();
    const armed = q.throttleCheckTimeoutId !== before;
    let after = -1;
    for (let ms = 0; ms <= 2_000 && after < 0; ms++) {
      if (check.mock.calls.length > 0) after = ms;
      else jest.advanceTimersByTime(1);
    }
    return { armed, after };
  } finally {
    jest.clearAllTimers();
    jest.useRealTimers();
  }
}

describe('kafkajs request queue with the idle-spin fix, against a pristine kafkajs', () => {
  it('checks as kafkajs does whenever something is pending: throttled, not throttled, already armed', () => {
    const states = [1, 3].flatMap((pending) =>
      [0, -50, 1, 10, 11, 500].flatMap((throttledFor) =>
        [false, true].map((armed) => ({ pending, throttledFor, armed })),
      ),
    );
    const ours = states.map((s) => ({ ...s, ...schedule(Patched, s) }));
    const theirs = states.map((s) => ({ ...s, ...schedule(Pristine, s) }));
    expect(ours).toEqual(theirs);
    expect(theirs.filter((t) => t.armed).map((t) => t.after)).toContain(500); // a throttle is waited out
  });

  it('arms no timer while nothing is pending, where kafkajs spins a 1 ms timer', () => {
    for (const throttledFor of [0, 500]) {
      const state = { pending: 0, throttledFor, armed: false };
      expect(schedule(Pristine, state)).toEqual({ armed: true, after: throttledFor || 1 });
      expect(schedule(Patched, state)).toEqual({ armed: false, after: -1 });
    }
  });

  it('is what kafkajs runs, and the oracle is not', () => {
    expect(idleSpinFix.verify()).toBeUndefined();
    expect(Pristine.prototype.scheduleCheckPendingRequests).not.toBe(
      Patched.prototype.scheduleCheckPendingRequests,
    );
  });
});
