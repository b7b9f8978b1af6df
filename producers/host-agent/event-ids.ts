/**
 * event_id = `host:boot:seq`: `boot` is this agent incarnation's start time (ms) and `seq` counts
 * up from 0 over every record it emits (samples and process records), so each id is unique and
 * stays the same however often the record is re-sent.
 */
export function eventIds(host: string, boot: number): { next(): string; readonly emitted: number } {
  let seq = 0;
  return {
    next: () => `${host}:${boot}:${seq++}`,
    get emitted() {
      return seq;
    },
  };
}
