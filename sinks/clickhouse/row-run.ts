import type { defaultJSONHandling } from '@clickhouse/client';

type JSONHandling = typeof defaultJSONHandling;

/**
 * Many JSONCompactEachRow rows handed to the client as one value, already written as `[…],[…],…`
 * (ClickHouse reads that as that many rows: it skips a comma between rows). One `JSON.stringify`
 * over a whole batch instead of one per row and a join roughly halves the encoding of a raw
 * insert (20 000 samples: ~65 → ~30 ms), and the text can be made as soon as the rows are known.
 */
export class EncodedRows {
  constructor(
    readonly text: string,
    readonly count: number,
  ) {}

  static of(rows: unknown[][]): EncodedRows {
    return new EncodedRows(JSON.stringify(rows).slice(1, -1), rows.length);
  }
}

/** The client's JSON handling: `EncodedRows` as their text, anything else as usual. */
export const rowRunJson: JSONHandling = {
  parse: JSON.parse,
  stringify: (value: unknown) => (value instanceof EncodedRows ? value.text : JSON.stringify(value)),
};

/** How many rows an insert's `values` hold, counting `EncodedRows` as its rows. */
export function rowCount(values: unknown): number {
  if (!Array.isArray(values)) return 0;
  let n = 0;
  for (const v of values) n += v instanceof EncodedRows ? v.count : 1;
  return n;
}
