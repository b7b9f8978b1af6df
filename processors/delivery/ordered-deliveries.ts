const ignore = () => undefined;

/** One delivery, split by what its order matters for. */
export interface DeliverySteps<R> {
  /** Work whose order across batches does not matter (idempotent raw inserts); starts at once. */
  anyOrder: () => Promise<unknown>;
  /** Writes that must land in batch order (topics, incident states); start after the previous batch's. */
  inOrder: () => Promise<unknown>;
  /** Runs once both are done and the previous delivery has finished (fan-out, acknowledgement). */
  finish: () => R;
}

/**
 * Lets deliveries overlap without reordering anything a reader can see: a batch's `anyOrder`
 * work runs while earlier batches are still being written, its `inOrder` writes wait for the
 * previous batch's, and its `finish` (so its acknowledgement) waits for the previous batch to
 * finish. A failed delivery fails every later one that was waiting on it, so nothing after a
 * failure is acknowledged. How many run at once is the caller's (`mergeMap` concurrency).
 */
export function orderedDeliveries(): <R>(steps: DeliverySteps<R>) => Promise<R> {
  let lastInOrder: Promise<unknown> = Promise.resolve();
  let lastFinished: Promise<unknown> = Promise.resolve();
  return <R>(steps: DeliverySteps<R>) => {
    const previousFinished = lastFinished;
    const inOrder = lastInOrder.then(steps.inOrder);
    const finished = (async () => {
      await Promise.all([steps.anyOrder(), inOrder]);
      await previousFinished;
      return steps.finish();
    })();
    // The chain keeps the rejections for the next delivery; these handlers only mark them seen.
    inOrder.catch(ignore);
    finished.catch(ignore);
    lastInOrder = inOrder;
    lastFinished = finished;
    return finished;
  };
}
