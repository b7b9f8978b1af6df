import { DDSketch } from '@datadog/sketches-js';
import { exactQuantile } from './exact-quantiles';

/** Values a window keeps exactly; past it they go into a DDSketch. */
export const EXACT_VALUES = 16;
/** Values held before they go into the sketch together, lowest first (see `flush`). */
const PENDING = 32;

/**
 * `values` sorted ascending in place: an insertion sort, for the few values a window keeps
 * exactly. `Array#sort` copies them into a scratch array first, one allocation per window closed,
 * and at a fleet's cardinality about one per sample; sorted values take one pass.
 */
function sortInPlace(values: number[]): number[] {
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
  return values;
}

/**
 * A window's values for its quantiles: kept exactly up to `EXACT_VALUES` (most windows hold one
 * or two samples and need no sketch at all, and their quantiles are exact), then a DDSketch of
 * 1% relative accuracy, created only then. Quantiles are clamped into [min, max] of what was added.
 */
export class ValueDigest {
  /** The values themselves while there is no sketch (a plain array: small, unlike a typed one). */
  private exact: number[] | undefined;
  /** With a sketch: the values waiting to enter it. */
  private pending: Float64Array | undefined;
  private n = 0;
  private sketch: DDSketch | undefined;
  private min = Infinity;
  private max = -Infinity;

  add(value: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (!this.sketch) {
      const exact = this.exact;
      if (!exact) {
        this.exact = [value];
        return;
      }
      if (exact.length < EXACT_VALUES) {
        // An array literal holds exactly its values; `push` would reserve room for 17 at once.
        if (exact.length === 1) this.exact = [exact[0]!, value];
        else exact.push(value);
        return;
      }
      // One value more than it keeps exactly: those held go into the sketch, lowest first.
      this.sketch = new DDSketch({ relativeAccuracy: 0.01 });
      this.pending = new Float64Array(PENDING);
      this.pending.set(exact);
      this.n = exact.length;
      this.exact = undefined;
    }
    this.pending ??= new Float64Array(PENDING);
    this.pending[this.n++] = value;
    if (this.n === PENDING) this.flush();
  }

  /** The quantile `q`, exact while the values fit, else the sketch's, always within [min, max]. */
  quantile(q: number): number {
    if (!this.sketch) {
      const exact = this.exact;
      return exact ? exactQuantile(sortInPlace(exact), exact.length, q) : NaN;
    }
    this.flush();
    return Math.min(this.max, Math.max(this.min, this.sketch.getValueAtQuantile(q)));
  }

  /** The quantiles `qs` (see `quantile`). */
  quantiles(qs: readonly number[]): number[] {
    return qs.map((q) => this.quantile(q));
  }

  /** Drops spare capacity (a closed window kept for corrections holds only what it needs). */
  compact(): void {
    // `push` leaves room for more (19 values' worth past the second): a closed window holds only its own.
    if (this.exact && this.exact.length > 2) this.exact = this.exact.slice();
    if (!this.sketch) return;
    this.flush();
    this.pending = undefined;
  }

  /**
   * Hands the held values to the sketch, the lowest first. The sketch's store re-centres (and
   * re-allocates) its bins whenever a value lands below its lowest so far, which a series' first
   * samples would otherwise do again and again; its counts, and so its quantiles, do not depend
   * on the order.
   */
  private flush(): void {
    const n = this.n;
    const values = this.pending;
    if (n === 0 || !values || !this.sketch) return;
    let lowest = 0;
    for (let i = 1; i < n; i++) if (values[i]! < values[lowest]!) lowest = i;
    this.sketch.accept(values[lowest]!);
    for (let i = 0; i < n; i++) if (i !== lowest) this.sketch.accept(values[i]!);
    this.n = 0;
  }
}
