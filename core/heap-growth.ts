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
