/**
 * kafkajs 2.2.4 re-arms a zero-delay timer on every connection whenever its request queue has
 * nothing pending, so an idle client wakes the event loop about a thousand times a second per
 * broker connection (kafkajs issues #1556 and #1704; fix proposed in PR #1667, unreleased). That
 * alone costs an idle agent ~3 % of a core. This installs the proposed fix: the pending queue is
 * checked again only while something is pending (a new pending request and every completed one
 * trigger a check anyway). Applied once, when the Kafka client module loads.
 */
const CHECK_PENDING_REQUESTS_INTERVAL = 10;

interface RequestQueueInternals {
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  pending: unknown[];
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
  prototype: RequestQueueInternals;
};

RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
  if (this.throttleCheckTimeoutId || this.pending.length === 0) return;
  // throttledUntil is kafkajs's own wall-clock deadline: compare it with the same clock.
  // eslint-disable-next-line no-restricted-properties
  const untilUnthrottled = this.throttledUntil - Date.now();
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL,
  );
};

export {};
