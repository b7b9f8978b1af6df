/**
 * A record of numbers that lives in a shared Float64Array. The detectors read and write their
 * state through such views as if it were a plain object, while a fleet's states stay in a few
 * large arrays (`state-slab.ts`): no object and no boxed number per series for the collector
 * to trace. Every view of a slab reads through one `Cursor`, which the slab moves to the series
 * being scored: moving it is two numbers, whatever the number of views.
 */
export interface Cursor {
  /** The chunk holding the series' record, and where the record starts in it. */
  f: Float64Array;
  o: number;
  /** The chunk holding the series' calibrator bins, and where they start in it. */
  bins: Float32Array;
  binO: number;
}

export interface SlabView {
  readonly cursor: Cursor;
  /** Where the view's first field lies in a series' record. */
  readonly from: number;
}

export type View<S> = S & SlabView;

export interface ViewClass<S> {
  new (cursor: Cursor, from: number): View<S>;
  readonly fields: readonly string[];
}

/** One class per field list, shared by every slab: the hot code sees one shape per kind of state. */
const classes = new Map<string, ViewClass<unknown>>();

/** The view class for records with these number fields, in this order. */
export function slabView<S>(fields: readonly string[]): ViewClass<S> {
  const id = fields.join(',');
  const known = classes.get(id);
  if (known) return known as ViewClass<S>;
  class Record implements SlabView {
    static readonly fields = fields;
    constructor(
      readonly cursor: Cursor,
      readonly from: number,
    ) {}
  }
  fields.forEach((name, k) =>
    Object.defineProperty(Record.prototype, name, {
      get(this: SlabView) {
        const c = this.cursor;
        return c.f[c.o + this.from + k];
      },
      set(this: SlabView, v: number) {
        const c = this.cursor;
        c.f[c.o + this.from + k] = v;
      },
    }),
  );
  classes.set(id, Record as unknown as ViewClass<unknown>);
  return Record as unknown as ViewClass<S>;
}

/** Where a view's field k lies in its cursor's chunk. */
export const indexOf = (view: SlabView, k: number): number => view.cursor.o + view.from + k;

/**
 * Copies a plain record's fields into a view as arithmetic would read them: null (a NaN or an
 * infinity once written as JSON) is 0, a missing or non-numeric field NaN.
 */
export function assign(view: SlabView, fields: readonly string[], from: Record<string, unknown>): void {
  for (let k = 0; k < fields.length; k++) view.cursor.f[indexOf(view, k)] = numberOf(from[fields[k]!]);
}

/** A saved number as arithmetic reads it: null is 0, anything else not a number NaN. */
export const numberOf = (v: unknown): number => (typeof v === 'number' ? v : v === null ? 0 : NaN);

/** The view's fields as a plain record. */
export function plain(view: SlabView, fields: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < fields.length; k++) out[fields[k]!] = view.cursor.f[indexOf(view, k)]!;
  return out;
}
