import { offsetBefore } from './window-accumulator';

/**
 * The highest offset taken in of each partition (`readOnce`): a record at or below its
 * partition's mark was taken in before. Forgets a partition when told the member lost it.
 */
export class ReadThrough {
  private readonly marks = new Map<string, { topic: string; partition: number; offset: string }>();
  private last: { topic: string; partition: number; offset: string } | undefined;

  /** Whether `offset` of the partition is new here; if so it becomes the partition's mark. */
  take(topic: string, partition: number, offset: string): boolean {
    let mark = this.last;
    if (mark?.partition !== partition || mark.topic !== topic) {
      const key = `${topic}:${partition}`;
      mark = this.marks.get(key);
      if (!mark) {
        this.marks.set(key, { topic, partition, offset });
        this.last = this.marks.get(key);
        return true;
      }
      this.last = mark;
    }
    if (!offsetBefore(mark.offset, offset)) return false;
    mark.offset = offset;
    return true;
  }

  /** Forgets the partitions this member no longer `owns`. */
  handOver(owns: (topic: string, partition: number) => boolean): void {
    for (const [key, mark] of this.marks) if (!owns(mark.topic, mark.partition)) this.marks.delete(key);
    this.last = undefined;
  }
}
