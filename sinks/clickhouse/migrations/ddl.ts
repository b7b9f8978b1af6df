/**
 * Where the schema's DDL runs: one server, or every node of a ClickHouse cluster. Migrations build
 * their statements through this, so the same migration creates `ReplacingMergeTree` on one server
 * and `ReplicatedReplacingMergeTree` ON CLUSTER on a cluster.
 */
export interface Ddl {
  /** The cluster's name, or undefined for one server. */
  readonly cluster: string | undefined;
  /** ` ON CLUSTER \`name\`` after the object's name in CREATE/ALTER/DROP/RENAME/EXCHANGE, or ''. */
  readonly on: string;
  /** `ENGINE = …` text for a MergeTree-family engine (`'ReplacingMergeTree'`, `'version'`). */
  engine(family: MergeTreeFamily, ...params: string[]): string;
  /**
   * For the schema's own bookkeeping (migration versions, the lock): inserts acknowledged by a
   * majority of replicas, and reads that see every such insert (`select_sequential_consistency`),
   * whichever replica answers. Nothing on one server.
   */
  readonly consistentWrite: { insert_quorum?: 'auto' };
  readonly consistentRead: { select_sequential_consistency?: '1' };
}

export type MergeTreeFamily = 'MergeTree' | 'ReplacingMergeTree' | 'AggregatingMergeTree';

/**
 * The Keeper path of a replicated table: its UUID (the same on every replica, since the table is
 * created ON CLUSTER; it follows the table through RENAME and EXCHANGE, which migrations use, so a
 * renamed table and its successor never claim one path) and the node's `{shard}` macro; the replica
 * is the node's `{replica}` macro. These are ClickHouse's own defaults, written out.
 */
export const REPLICA_PATH = '/clickhouse/tables/{uuid}/{shard}';
export const REPLICA_NAME = '{replica}';

/** DDL for one server (`cluster` unset) or for the named cluster. */
export function ddlFor(cluster?: string): Ddl {
  if (cluster === undefined)
    return {
      cluster,
      on: '',
      engine: (family, ...params) => `ENGINE = ${family}${params.length ? `(${params.join(', ')})` : ''}`,
      consistentWrite: {},
      consistentRead: {},
    };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(cluster))
    throw new Error(`cluster name ${JSON.stringify(cluster)} is not a plain identifier`);
  return {
    cluster,
    on: ` ON CLUSTER \`${cluster}\``,
    engine: (family, ...params) =>
      `ENGINE = Replicated${family}(${[`'${REPLICA_PATH}'`, `'${REPLICA_NAME}'`, ...params].join(', ')})`,
    consistentWrite: { insert_quorum: 'auto' },
    consistentRead: { select_sequential_consistency: '1' },
  };
}

/** The default: one server (and the embedded engine). */
export const SINGLE_NODE: Ddl = ddlFor();
