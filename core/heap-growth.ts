import v8 from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow past what the last full collection kept before
 * collecting again: a factor of 1 + percent / 100 (0 leaves V8's own, which allows up to 4×).
 *
 * A processor keeps ~100 MB live, but every event in flight lives long enough (it waits for its
 * insert) to be promoted, so the old generation fills with the garbage of acknowledged batches.
 * Under V8's own factor the heap reached ~330–430 MB before each full collection; at 2× it peaks
 * near 280 MB and the processor's peak RSS is ~100 MB lower (1M-event bench: 914/1011 → 867/843
 * MiB). 1.5× saves another ~100 MB but costs ~2.5 µs of GC-thread CPU per event; 2× costs little.
 * Process-wide, so whatever shares the process (the gateway, the agent) benefits too.
 */
export function limitHeapGrowth(percent: number): void {
  if (percent > 0) v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/**
 * The young generation the processor runs with, as a Node flag: `npm start` and the `tidewatch`
 * command start Node with it (package.json, bin/tidewatch.js; it must be given at start-up), and
 * so do the benches. A record is garbage within ~30–100 ms of its fetch (decoded, staged, then
 * encoded into its batch's chunk); with Node's 16 MiB semi-spaces a scavenge came every ~40 ms
 * and copied or promoted much of what was in flight. At 64 MiB (1M-event bench, 2 pairs):
 * scavenge pauses 1.49 → 0.70 s, GC-thread CPU 4.1–4.2 → 3.4–3.6 µs per event, machine CPU
 * 18.5–18.8 → 17.2–17.3 µs, 103–105k → 115k events/s, for ~100 MiB more peak RSS (733 → 838).
 */
export const YOUNG_GENERATION_FLAG = '--max-semi-space-size=64';
