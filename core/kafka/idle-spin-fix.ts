import { expectFunction, type KafkajsPatch } from './kafkajs-patch';

/**
 * kafkajs 2.2.4 re-arms a zero-delay timer on every connection whenever its request queue has
 * nothing pending, so an idle client wakes the event loop about a thousand times a second per
 * broker connection (kafkajs issues #1556 and #1704; fix proposed in PR #1667, unreleased). That
 * alone costs an idle agent ~3 % of a core. This installs the proposed fix: the pending queue is
 * checked again only while something is pending (a new pending request and every completed one
 * trigger a check anyway). A prototype patch: it applies in the agent bundle too.
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

function scheduleCheckPendingRequests(this: RequestQueueInternals) {
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
}

export const idleSpinFix: KafkajsPatch = {
  name: 'idle-spin-fix',
  sources: {
    'network/requestQueue/index.js': 'b55986089c14f8f7bfc377922e2e65b3e4c1e7c7af2752d3b10a75dfe9e9260c',
  },
  check: () =>
    expectFunction(
      'RequestQueue.prototype.scheduleCheckPendingRequests',
      RequestQueue.prototype.scheduleCheckPendingRequests,
      0,
      ['throttledUntil', 'throttleCheckTimeoutId', 'pending.length', 'setTimeout(', 'checkPendingRequests()'],
    ),
  install() {
    RequestQueue.prototype.scheduleCheckPendingRequests = scheduleCheckPendingRequests;
  },
  verify: () =>
    RequestQueue.prototype.scheduleCheckPendingRequests === scheduleCheckPendingRequests
      ? undefined
      : 'RequestQueue.prototype.scheduleCheckPendingRequests is not the fix',
};
