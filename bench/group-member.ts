import type { ProcessingResult } from './pipeline-processor';

/**
 * Messages between the fleet bench and its processors (`pipeline-processor.ts` as group members).
 * Bench → member: the job, then `go` (every member is ready: they join the group together),
 * `export` (write what is stored so far, see `stored-exports.ts`; the run may end here, so take
 * the time and CPU figures first), `timed` (the run ended at the last `export`: keep its figures,
 * measure the state kept now), `stop` (close, export, report).
 */
export type ToMember = { go: true } | { timed: true } | { export: true } | { stop: true };
export type FromMember =
  | { ready: true }
  | { progress: { done: number; first: number; at: number } }
  | { exported: true }
  | { result: ProcessingResult }
  | { error: string };

/**
 * The member's side, in the processor's process: `ready()` says so and resolves on `go`;
 * `progress` reports the events done; `timed` and `exported` run their handler on the bench's
 * word; `stopped` resolves on `stop`.
 */
export function groupMember(on: { timed: () => void; export: () => Promise<void> }) {
  let go: () => void = () => undefined;
  let stop: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (go = resolve));
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const send = (message: FromMember) => process.send!(message);
  process.on('message', (message: ToMember) => {
    if ('go' in message) go();
    else if ('timed' in message) on.timed();
    else if ('export' in message)
      on.export().then(
        () => send({ exported: true }),
        (err: unknown) =>
          process.send!({ error: String((err as Error)?.stack ?? err) } satisfies FromMember, () =>
            process.exit(1),
          ),
      );
    else if ('stop' in message) stop();
  });
  return {
    ready: () => {
      send({ ready: true });
      return started;
    },
    progress: (done: number, first: number, at: number) => send({ progress: { done, first, at } }),
    stopped,
  };
}
