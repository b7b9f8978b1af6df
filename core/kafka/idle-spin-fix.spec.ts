import './idle-spin-fix';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (o: object) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
};

describe('kafkajs request queue (with the idle-spin fix)', () => {
  const queue = () =>
    new RequestQueue({
      instrumentationEmitter: { emit: () => undefined },
      maxInFlightRequests: 1,
      requestTimeout: 30_000,
      enforceRequestTimeout: false,
      clientId: 'test',
      broker: 'b:9092',
      logger: { debug: () => undefined },
    });

  it('arms no timer while nothing is pending, so an idle connection sleeps', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
  });

  it('still checks pending requests again after a throttle', () => {
    jest.useFakeTimers();
    try {
      const q = queue();
      q.pending.push({});
      q.throttledUntil = Date.now() + 500;
      q.scheduleCheckPendingRequests();
      expect(q.throttleCheckTimeoutId).not.toBeNull();
      const check = jest.spyOn(q, 'checkPendingRequests').mockImplementation(() => undefined);
      jest.advanceTimersByTime(499);
      expect(check).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      expect(check).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
