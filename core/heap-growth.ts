import v8 from 'node:v8';

/**
 * Caps how far V8 lets the old generation grow past what the last full collection kept before
 * collecting again: a factor of 1 + percent / 100 (0 leaves V8's own, which allows up to 4×).
 *
 * The processor leaves V8's own (`processor.heapGrowthPercent` 0). A tight cap pays when much of
 * what is promoted is garbage: when kafkajs still decoded a whole fetch at once, every record in
 * flight was promoted, and a 2× cap kept peak RSS ~100 MB lower. Since records are decoded per
 * batch (`core/kafka/lazy-records.ts`) little is promoted, and under a 2× cap V8 marked almost
 * continuously: 11–12 full collections per 1M events against 7–8 with its own growth, ~1 µs of
 * GC-thread CPU per event more (1M-event bench, 3 alternating triples: machine CPU 9.3 / 8.2 /
 * 7.0 µs per event at 100, 7.8 / 6.9 / 6.6 at 300, 7.1 / 6.7 / 7.6 at 0; peak RSS 648–661,
 * 670–720, 646–686 MiB). Process-wide, so whatever shares the process benefits too.
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
