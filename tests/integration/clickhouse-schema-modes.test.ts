import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  checkSchema,
  createClickHouse,
  ddlFor,
  migrate,
  MIGRATIONS,
  prepareSchema,
  REQUIRED_TABLES,
  runReadOnlyQuery,
  type ClickHouseClient,
} from '../../sinks/clickhouse';

/** The schema's start-up modes on the embedded engine: migrations under the lock; a DBA's schema. */
describe('ClickHouse schema: migration lock and manageSchema: false (embedded engine)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-schema-modes-'));
  let client: ClickHouseClient;
  const retention = { rawDays: 7, aggregatesDays: 30, hourlyDays: 365 };
  const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const rows = async (sql: string) => (await runReadOnlyQuery(client, sql)).rows;

  beforeAll(() => {
    client = createClickHouse({ username: 'default', password: '', dataDir });
  });
  afterAll(async () => {
    await client.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('two processes migrating at once: each migration runs once, by one of them', async () => {
    const db = 'tw_schema_race';
    const [a, b] = await Promise.all([
      migrate(client, db, MIGRATIONS, { lock: { owner: 'a', sleep: yieldTurn } }),
      migrate(client, db, MIGRATIONS, { lock: { owner: 'b', sleep: yieldTurn } }),
    ]);
    const all = MIGRATIONS.map((m) => m.version);
    expect([...a, ...b].sort((x, y) => x - y)).toEqual(all);
    expect(a.length === 0 || b.length === 0).toBe(true);
    // Recorded once each (no FINAL: a second run would have left a second row).
    const recorded = await rows(`SELECT version, count() AS n FROM ${db}.schema_migrations GROUP BY version`);
    expect(recorded.map((r) => Number(r.n))).toEqual(all.map(() => 1));
    // The lock is released: the newest attempt has no owner.
    const lock = await rows(`SELECT owner FROM ${db}.schema_migrations_lock ORDER BY attempt DESC LIMIT 1`);
    expect(lock).toEqual([{ owner: '' }]);
  });

  it('waits while another process holds the lock, and migrates once it is released', async () => {
    const db = 'tw_schema_wait';
    await migrate(client, db, MIGRATIONS.slice(0, 2));
    const next = async () =>
      Number(
        ((await rows(`SELECT max(attempt) AS a FROM ${db}.schema_migrations_lock`)) as [{ a: string }])[0].a,
      ) + 1;
    const lockAs = async (owner: string) => {
      const attempt = await next();
      await client.insert({
        table: `${db}.schema_migrations_lock`,
        values: [{ attempt, owner }],
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: `schema_migrations_lock:${attempt}` },
      });
    };
    const recorded = async () =>
      Number((await rows(`SELECT count() AS n FROM ${db}.schema_migrations`))[0]!.n);
    // Another process has just taken the lock and is migrating.
    await lockAs('other');
    const seen: number[] = [];
    const applied = await migrate(client, db, MIGRATIONS, {
      lock: {
        owner: 'me',
        sleep: async () => {
          seen.push(await recorded());
          if (seen.length === 3) await lockAs(''); // the other process gives up and releases it
        },
      },
    });
    expect(seen).toEqual([2, 2, 2]);
    expect(applied).toEqual(MIGRATIONS.slice(2).map((m) => m.version));
    expect(await recorded()).toBe(MIGRATIONS.length);
  });

  it('takes over the lock of a holder past its lease (one that died while migrating)', async () => {
    const db = 'tw_schema_stale';
    await migrate(client, db, MIGRATIONS.slice(0, 1));
    const [{ a }] = (await rows(`SELECT max(attempt) + 1 AS a FROM ${db}.schema_migrations_lock`)) as [
      { a: string },
    ];
    await client.insert({
      table: `${db}.schema_migrations_lock`,
      values: [{ attempt: Number(a), owner: 'dead' }],
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: `schema_migrations_lock:${a}` },
    });
    let waits = 0;
    const sleep = async () => {
      waits += 1;
      if (waits > 5) throw new Error('still waiting for a holder past its lease');
    };
    // A lease of 0 s: the holder's row is already past it.
    const applied = await migrate(client, db, MIGRATIONS, { lock: { owner: 'me', leaseSeconds: 0, sleep } });
    expect(applied).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
    expect(waits).toBe(0);
  });

  it("the cluster DDL of every migration is valid on the engine's parser, ON CLUSTER where it belongs", async () => {
    // No cluster or Keeper here: the engine parses each statement and formats it back.
    const ddl = ddlFor('tw_cluster');
    const statements: string[] = [];
    const recorder = {
      command: async ({ query }: { query: string }) => void statements.push(query),
      query: async () => ({ json: async () => [{ n: '0' }] }),
    } as unknown as ClickHouseClient;
    for (const m of MIGRATIONS) {
      statements.push(...m.statements('tw', ddl));
      await m.run?.(recorder, 'tw', ddl);
    }
    for (const q of statements.filter((x) => !/^\s*INSERT/i.test(x))) {
      const rs = await client.query({
        query: 'SELECT formatQuerySingleLine({q:String}) AS f',
        query_params: { q },
        format: 'JSONEachRow',
      });
      const [row] = (await rs.json()) as [{ f: string }];
      expect(row.f).toContain('ON CLUSTER tw_cluster');
    }
  });

  it('creates every table a DBA-managed schema must hold', async () => {
    const db = 'tw_schema_required';
    await migrate(client, db);
    await expect(checkSchema(client, db)).resolves.toBeUndefined();
    expect(REQUIRED_TABLES.length).toBeGreaterThan(10);
  });

  it('manageSchema: false runs no DDL and names each missing table', async () => {
    const db = 'tw_schema_dba';
    const settings = { database: db, manageSchema: false, retention };
    await expect(prepareSchema(client, settings)).rejects.toMatchObject({
      code: 'TW_ERR_CLICKHOUSE_SCHEMA',
      message: expect.stringContaining(`lacks ${REQUIRED_TABLES.map((t) => `${db}.${t}`).join(', ')}`),
    });
    expect(await rows(`SELECT name FROM system.databases WHERE name = '${db}'`)).toEqual([]);

    await migrate(client, db);
    await expect(prepareSchema(client, settings)).resolves.toBeUndefined();
    await client.command({ query: `DROP VIEW ${db}.hosts` });
    await client.command({ query: `DROP TABLE ${db}.processes` });
    await expect(prepareSchema(client, settings)).rejects.toThrow(
      new RegExp(`lacks ${db}\\.hosts, ${db}\\.processes: create them`),
    );
    const before = await rows(`SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name`);
    await prepareSchema(client, settings).catch(() => undefined);
    expect(await rows(`SELECT name FROM system.tables WHERE database = '${db}' ORDER BY name`)).toEqual(
      before,
    );
  });

  it('manageSchema: true migrates and applies the retention', async () => {
    const db = 'tw_schema_managed';
    await prepareSchema(client, {
      database: db,
      manageSchema: true,
      retention: { ...retention, rawDays: 3 },
    });
    const [metrics] = (await rows(
      `SELECT create_table_query AS q FROM system.tables WHERE database = '${db}' AND name = 'metrics'`,
    )) as [{ q: string }];
    expect(metrics.q).toMatch(/toIntervalDay\(3\)|INTERVAL 3 DAY/);
  });
});
