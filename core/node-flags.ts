/**
 * The Node flags the processor runs with. They must be given at start-up: `npm start` and the
 * `tidewatch` command pass them (package.json, bin/tidewatch.js; `node-flags.spec.ts` checks
 * that both say the same), and so does the pipeline bench's processor process.
 *
 * - `--max-semi-space-size=64`: a 64 MiB young generation. A record is garbage within ~30–100
 *   ms of its fetch (decoded, staged, then encoded into its batch's chunk); with Node's 16 MiB
 *   semi-spaces a scavenge came every ~40 ms and copied or promoted much of what was in flight.
 *   At 64 MiB (1M-event bench, 2 pairs): scavenge pauses 1.49 → 0.70 s, GC-thread CPU 4.1–4.2 →
 *   3.4–3.6 µs per event, machine CPU 18.5–18.8 → 17.2–17.3 µs, for ~100 MiB more peak RSS.
 * - `--single-threaded-gc`: no garbage-collector helper threads. V8 scavenges in parallel and
 *   marks and sweeps concurrently beside JavaScript; on two cores already shared by the broker,
 *   the embedded engine and the processor's own threads, the helpers mostly take turns with the
 *   threads they were meant to help, and synchronising them costs more than it saves. Without
 *   them the processor spent 0.7–1.9 µs less machine CPU per event and ran 6–27 % faster (1M-event
 *   bench, 4 alternating pairs), and its scavenge pauses took no longer in all. On a machine with
 *   cores to spare, parallel collection shortens pauses: start `node
 *   --max-semi-space-size=64 bin/tidewatch.js start` to have it. (V8 cannot switch it at run
 *   time: doing so crashed the collector.)
 */
export const PROCESSOR_NODE_FLAGS = ['--max-semi-space-size=64', '--single-threaded-gc'] as const;
