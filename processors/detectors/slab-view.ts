/**
 * A record of numbers that lives in a shared Float64Array: field k of the view is `f[i + k]`.
 * The detectors read and write their state through such views as if it were a plain object,
 * while a fleet's states stay in a few large arrays (`state-slab.ts`): no object and no boxed
 * number per series for the collector to trace. The slab points its views at the series being
 * scored. An accessor is kept this small (`this.f[this.i + k]`) so that V8 always inlines it.
 */
export interface SlabView {
  /** The chunk holding the series' record. */
  f: Float64Array;
  /** Where the view's first field lies in it. */
  i: number;
}

export type View<S> = S & SlabView;

export interface ViewClass<S> {
  new (f: Float64Array, i: number): View<S>;
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
      public f: Float64Array,
      public i: number,
    ) {}
  }
  fields.forEach((name, k) =>
    Object.defineProperty(Record.prototype, name, {
      get(this: SlabView) {
        return this.f[this.i + k];
      },
      set(this: SlabView, v: number) {
        this.f[this.i + k] = v;
      },
    }),
  );
  classes.set(id, Record as unknown as ViewClass<unknown>);
  return Record as unknown as ViewClass<S>;
}

/**
 * Copies a plain record's fields into a view as arithmetic would read them: null (a NaN or an
 * infinity once written as JSON) is 0, a missing or non-numeric field NaN.
 */
export function assign(view: SlabView, fields: readonly string[], from: Record<string, unknown>): void {
  for (let k = 0; k < fields.length; k++) view.f[view.i + k] = numberOf(from[fields[k]!]);
}

/** A saved number as arithmetic reads it: null is 0, anything else not a number NaN. */
export const numberOf = (v: unknown): number => (typeof v === 'number' ? v : v === null ? 0 : NaN);

/** The view's fields as a plain record. */
export function plain(view: SlabView, fields: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (let k = 0; k < fields.length; k++) out[fields[k]!] = view.f[view.i + k]!;
  return out;
}
