import type { ClickHouseClient } from '@clickhouse/client';
import { ddlFor, SINGLE_NODE } from './ddl';
import { MIGRATIONS } from './list';
import { migrate } from './migrate';

/** A stand-in for the client that records DDL and answers the few reads migrations make. */
function recordingClient(shards = 1) {
  const commands: string[] = [];
  const inserts: { table: string; settings: Record<string, string> }[] = [];
  const lock: { attempt: number; owner: string }[] = [];
  const tokens = new Set<string>();
  const answer = (query: string): Record<string, unknown>[] => {
    if (query.includes('system.clusters')) return [{ shards: String(shards) }];
    if (query.includes('schema_migrations_lock')) return lock.length ? [{ ...lock.at(-1), age: 0 }] : [];
    if (query.includes('schema_migrations')) return [];
    return [{ n: '0' }];
  };
  const client = {
    command: async ({ query }: { query: string }) => void commands.push(query),
    query: async ({ query }: { query: string }) => ({ json: async () => answer(query) }),
    insert: async (p: {
      table: string;
      values: { attempt: number; owner: string }[];
      clickhouse_settings?: Record<string, string>;
    }) => {
      inserts.push({ table: p.table, settings: { ...p.clickhouse_settings } });
      const token = p.clickhouse_settings?.insert_deduplication_token;
      if (!p.table.endsWith('_lock') || (token && tokens.has(token))) return;
      if (token) tokens.add(token);
      lock.push(...p.values);
    },
  } as unknown as ClickHouseClient;
  return { client, commands, inserts };
}

const DDL = /^\s*(CREATE|ALTER|DROP|RENAME|EXCHANGE)\b/i;

/** Every statement each migration issues (its statements and its run's commands), by migration. */
async function issued(cluster?: string) {
  const ddl = ddlFor(cluster);
  const out: { migration: string; statement: string }[] = [];
  for (const m of MIGRATIONS) {
    const { client, commands } = recordingClient();
    commands.push(...m.statements('db', ddl));
    await m.run?.(client, 'db', ddl);
    out.push(...commands.map((statement) => ({ migration: `${m.version} ${m.name}`, statement })));
  }
  return out;
}

describe('schema DDL: one server or a cluster', () => {
  it('names plain engines and no cluster on one server', () => {
    expect(SINGLE_NODE.on).toBe('');
    expect(SINGLE_NODE.engine('ReplacingMergeTree')).toBe('ENGINE = ReplacingMergeTree');
    expect(SINGLE_NODE.engine('ReplacingMergeTree', 'version')).toBe('ENGINE = ReplacingMergeTree(version)');
  });

  it('replicates on a cluster, with the shard and replica macros in the Keeper path', () => {
    const ddl = ddlFor('tidewatch');
    expect(ddl.on).toBe(' ON CLUSTER `tidewatch`');
    expect(ddl.engine('ReplacingMergeTree', 'version')).toBe(
      "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}', version)",
    );
    expect(ddl.engine('AggregatingMergeTree')).toBe(
      "ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{uuid}/{shard}', '{replica}')",
    );
    expect(ddl.consistentRead).toEqual({ select_sequential_consistency: '1' });
    expect(ddl.consistentWrite).toEqual({ insert_quorum: 'auto' });
    expect(SINGLE_NODE.consistentWrite).toEqual({});
  });

  it('refuses a cluster name that is not a plain identifier', () => {
    expect(() => ddlFor('c` ; DROP DATABASE x; --')).toThrow(/not a plain identifier/);
  });

  it('on a cluster, every migration runs each DDL statement ON CLUSTER and creates only replicated engines', async () => {
    const all = await issued('tw');
    const ddl = all.filter((s) => DDL.test(s.statement));
    expect(ddl.length).toBeGreaterThan(20);
    expect(ddl.filter((s) => !s.statement.includes(' ON CLUSTER `tw`'))).toEqual([]);
    const engines = all.flatMap((s) =>
      [...s.statement.matchAll(/ENGINE\s*=\s*(\w+)(\([^)]*\))?/g)].map((e) => ({
        migration: s.migration,
        engine: e[0],
      })),
    );
    expect(engines.length).toBeGreaterThan(8);
    expect(
      engines.filter(
        (e) =>
          !/^ENGINE = Replicated\w+MergeTree\('\/clickhouse\/tables\/\{uuid\}\/\{shard\}', '\{replica\}'/.test(
            e.engine,
          ),
      ),
    ).toEqual([]);
    // INSERT … SELECT backfills run once, on the node migrating; replication carries them.
    expect(all.filter((s) => /^\s*INSERT/i.test(s.statement) && s.statement.includes('ON CLUSTER'))).toEqual(
      [],
    );
  });

  it('on one server, no statement names a cluster or a replicated engine', async () => {
    const all = await issued();
    expect(all.filter((s) => /ON CLUSTER|Replicated/.test(s.statement))).toEqual([]);
  });

  it('migrate on a cluster creates the database, the version table and the lock ON CLUSTER, replicated', async () => {
    const { client, commands, inserts } = recordingClient();
    expect(await migrate(client, 'db', MIGRATIONS.slice(0, 1), { ddl: ddlFor('tw') })).toEqual([1]);
    // The bookkeeping is written to a majority of replicas (lock claim, version, lock release).
    expect(inserts.map((i) => [i.table, i.settings.insert_quorum])).toEqual([
      ['db.schema_migrations_lock', 'auto'],
      ['db.schema_migrations', 'auto'],
      ['db.schema_migrations_lock', 'auto'],
    ]);
    expect(commands[0]).toBe('CREATE DATABASE IF NOT EXISTS db ON CLUSTER `tw`');
    const own = commands.filter((c) => /schema_migrations/.test(c));
    expect(own).toHaveLength(2);
    for (const c of own) expect(c).toMatch(/ON CLUSTER `tw`[\s\S]*ENGINE = Replicated\w*MergeTree\('/);
  });

  it('refuses a cluster the server does not define, or one with several shards', async () => {
    for (const [shards, reason] of [
      [0, /defines no cluster named tw/],
      [2, /has 2 shards/],
    ] as const) {
      const { client, commands } = recordingClient(shards);
      await expect(migrate(client, 'db', MIGRATIONS, { ddl: ddlFor('tw') })).rejects.toMatchObject({
        code: 'TW_ERR_CLICKHOUSE_SCHEMA',
        message: expect.stringMatching(reason),
      });
      expect(commands).toEqual([]);
    }
  });
});
