import type { ClickHouseClient } from '@clickhouse/client';
import type { EncodedChunk } from './idempotent-insert';
import type { NewestStored, SampleSpan } from './replay-guard';
import { EncodedRows } from './row-run';

/**
 * What the raw table already holds, for a replay-aware insert (`ReplayGuard`): each host's newest
 * stored event time, and the stored ids where a chunk's samples lie. Both read by the table's
 * key (host, event time), never the whole table.
 */
export function storedSamples(client: ClickHouseClient, table: string) {
  /** Where a span's hosts have stored samples: the hosts and the time range, as query parameters. */
  const within = (span: SampleSpan) => {
    let lo = Infinity;
    for (const ts of span.oldest.values()) lo = Math.min(lo, ts);
    return {
      condition:
        'host IN {replay_hosts:Array(String)} AND ts BETWEEN ' +
        "fromUnixTimestamp64Milli({replay_lo:Int64}, 'UTC') AND fromUnixTimestamp64Milli({replay_hi:Int64}, 'UTC')",
      params: { replay_hosts: [...span.oldest.keys()], replay_lo: lo, replay_hi: span.newest },
    };
  };

  const newest: NewestStored = async (hosts, since) => {
    const result = await client.query({
      query:
        `SELECT host, toUnixTimestamp64Milli(max(ts)) AS newest FROM ${table} ` +
        `WHERE host IN {hosts:Array(String)} AND ts >= fromUnixTimestamp64Milli({since:Int64}, 'UTC') GROUP BY host`,
      query_params: { hosts, since },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ host: string; newest: string | number }>();
    return new Map(rows.map((r) => [r.host, Number(r.newest)]));
  };

  return {
    newest,

    /**
     * A condition over an insert's rows (`event_id`) that leaves out ids already stored where the
     * span lies: for an `INSERT … SELECT`, so the engine skips them in the insert itself.
     */
    notStored(span: SampleSpan): { where: string; params: Record<string, unknown> } {
      const { condition, params } = within(span);
      return { where: `event_id NOT IN (SELECT event_id FROM ${table} WHERE ${condition})`, params };
    },

    /** The chunks (JSON rows, event id first) without the rows already stored where the span lies. */
    async withoutStored(chunks: readonly EncodedChunk[], span: SampleSpan): Promise<EncodedChunk[]> {
      const { condition, params } = within(span);
      const result = await client.query({
        query: `SELECT event_id FROM ${table} WHERE ${condition}`,
        query_params: params,
        format: 'JSONCompactEachRow',
      });
      const stored = new Set((await result.json<[string]>()).map(([id]) => id));
      if (stored.size === 0) return [...chunks];
      return chunks.map((c) => {
        const rows = JSON.parse(`[${c.rows.text}]`) as unknown[][];
        const kept = rows.filter((r) => !stored.has(r[0] as string));
        if (kept.length === rows.length) return c;
        const encoded = EncodedRows.of(kept);
        // The digest stays: a retry of this insert carries the same token.
        return { ...c, rows: encoded, count: kept.length, bytes: encoded.text.length };
      });
    },
  };
}
