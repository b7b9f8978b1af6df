/** A bounded, time-ordered buffer of points for one series: old points fall off the front. */
export class SeriesBuffer {
  readonly ts: number[] = [];
  readonly values: number[] = [];

  constructor(
    private readonly maxPoints: number,
    private readonly windowMs: number,
  ) {}

  /** Adds a point; ignores one not newer than the last (snapshot and live may overlap). */
  push(tsMs: number, value: number): boolean {
    const last = this.ts[this.ts.length - 1];
    if (last !== undefined && tsMs <= last * 1000) return false;
    this.ts.push(tsMs / 1000);
    this.values.push(value);
    const cutoff = tsMs / 1000 - this.windowMs / 1000;
    let drop = Math.max(0, this.ts.length - this.maxPoints);
    while (drop < this.ts.length && this.ts[drop]! < cutoff) drop++;
    if (drop > 0) {
      this.ts.splice(0, drop);
      this.values.splice(0, drop);
    }
    return true;
  }
}
