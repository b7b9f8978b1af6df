import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  attachSqlConsole,
  clientOver,
  DEFAULT_CONSOLE_LIMITS,
  embeddedSqlConsole,
  runReadOnlyQuery,
  sandboxStatements,
  type ClickHouseClient,
  type SqlConsole,
} from '../../sinks/clickhouse';
import { openEmbedded } from '../helpers/embedded-engine';
import { waitFor } from '../helpers/wait-for';

/**
 * The SQL console's attacks (report [H]), each against the real embedded engine through
 * `runReadOnlyQuery`, as `/api/sql` and `tidewatch sql` call it: refused with a reason that names
 * what was refused, nothing read, written or reached, and the engine still answering afterwards.
 * Then its limits, and that long console queries do not hold up the pipeline's own queries and
 * inserts.
 */
// A connection of the test's own to the same engine, beside the client's and the console's.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Session } = require('chdb') as {
  Session: new (dir: string) => { query(sql: string, format: string): unknown; close(): void };
};

describe('SQL console against the embedded engine', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-sec-sql-'));
  const db = 'tw_sec_sql';
  const secret = `token-${process.pid}-do-not-read`;
  const tokenFile = path.join(dataDir, 'token');
  let client: ClickHouseClient;
  let sqlConsole: SqlConsole;
  let server: http.Server;
  let port: number;
  let hits = 0;

  beforeAll(async () => {
    fs.writeFileSync(tokenFile, `${secret}\n`);
    server = http.createServer((_req, res) => {
      hits++;
      res.end('reached');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    client = clientOver(await openEmbedded(dataDir));
    await client.command({ query: `CREATE DATABASE ${db}` });
    await client.command({
      query: `CREATE TABLE ${db}.metrics (host String, value Float64) ENGINE = MergeTree ORDER BY host`,
    });
    await client.insert({
      table: `${db}.metrics`,
      values: [{ host: 'web-1', value: 1 }],
      format: 'JSONEachRow',
    });
    sqlConsole = embeddedSqlConsole({
      path: path.join(dataDir, 'clickhouse'),
      database: db,
      limits: { ...DEFAULT_CONSOLE_LIMITS, maxMemoryBytes: 64 * 1024 * 1024, maxRunning: 3, maxWaiting: 1 },
      // Long console queries that sleep rather than burn the shared cores.
      extraSettings: { function_sleep_max_microseconds_per_block: 60_000_000 },
    });
    attachSqlConsole(client, sqlConsole);
  });

  afterAll(async () => {
    await sqlConsole?.close();
    await client?.close();
    server?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const sql = (query: string, params: Record<string, unknown> = {}) =>
    runReadOnlyQuery(client, query, params);
  const refusal = (query: string) =>
    sql(query).then(
      (result) => ({ code: 'ran', message: JSON.stringify(result.rows) }),
      (err: { code?: string; message: string }) => ({ code: err.code, message: err.message }),
    );
  const stillAnswers = async () => {
    expect((await sql('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    const rs = await client.query({ query: `SELECT count() AS n FROM ${db}.metrics`, format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0]!.n)).toBeGreaterThan(0);
  };

  describe('reading files', () => {
    it.each([
      [
        'file() behind a # comment',
        "SELECT * FROM file# x\n('/etc/passwd','LineAsString')",
        /file\(\) reaches outside/,
      ],
      [
        'file() spelt with an escape in a quoted identifier',
        "SELECT * FROM `fil\\x65`('TOKEN','LineAsString')",
        /file\(\)/,
      ],
      ['the scalar file() spelt with an escape', "SELECT `fil\\x65`('TOKEN')", /file\(\)/],
      [
        'filesystem() on the data directory',
        "SELECT name, content FROM filesystem('DATA')",
        /filesystem\(\)/,
      ],
      ['/proc/self/environ', "SELECT * FROM `fil\\x65`('/proc/self/environ', 'RawBLOB')", /file\(\)/],
    ])('refuses %s', async (_, attack, reason) => {
      const answer = await refusal(attack.replace('TOKEN', tokenFile).replace('DATA', dataDir));
      expect(answer.code).toBe('TW_ERR_SQL_NOT_READONLY');
      expect(answer.message).toMatch(reason);
      expect(answer.message).not.toContain(secret);
      expect(answer.message).not.toContain('root:');
      await stillAnswers();
    });
  });

  describe('writing files', () => {
    const victim = () => path.join(dataDir, 'victim.txt');
    beforeEach(() => fs.writeFileSync(victim(), 'keep\n'));

    it.each([
      ['INTO OUTFILE behind a comment', (f: string) => `SELECT 'x' INTO # c\nOUTFILE '${f}.new'`],
      ['INTO OUTFILE … APPEND behind a comment', (f: string) => `SELECT 'x' INTO # c\nOUTFILE '${f}' APPEND`],
      [
        'INTO OUTFILE … TRUNCATE behind a comment',
        (f: string) => `SELECT 'x' INTO # c\nOUTFILE '${f}' TRUNCATE`,
      ],
    ])('refuses %s and the file stays as it was', async (_, attack) => {
      const answer = await refusal(attack(victim()));
      expect(answer.code).toBe('TW_ERR_SQL_NOT_READONLY');
      expect(answer.message).toMatch(/INTO OUTFILE/);
      expect(fs.readFileSync(victim(), 'utf8')).toBe('keep\n');
      expect(fs.existsSync(`${victim()}.new`)).toBe(false);
      await stillAnswers();
    });
  });

  describe('reaching other services', () => {
    it.each([
      [
        'url() spelt with an escape',
        "SELECT * FROM `\\x75rl`('http://127.0.0.1:PORT/x','RawBLOB')",
        /url\(\)/,
      ],
      ['oss()', "SELECT * FROM oss('http://127.0.0.1:PORT/b/x','RawBLOB')", /oss\(\)/],
      ['cosn()', "SELECT * FROM cosn('http://127.0.0.1:PORT/b/x','RawBLOB')", /cosn\(\)/],
      ['mysql()', "SELECT * FROM mysql('127.0.0.1:PORT','d','t','u','p')", /mysql\(\)/],
      ['remote()', "SELECT * FROM remote('127.0.0.1:PORT', system.one)", /remote\(\)/],
    ])('refuses %s and nothing is reached', async (_, attack, reason) => {
      const answer = await refusal(attack.replace('PORT', String(port)));
      expect(answer.code).toBe('TW_ERR_SQL_NOT_READONLY');
      expect(answer.message).toMatch(reason);
      expect(hits).toBe(0);
      await stillAnswers();
    });
  });

  it('refuses every table function the deny-list missed, by name, and allows only harmless ones', async () => {
    const missed = [
      'filesystem',
      'oss',
      'cosn',
      'hdfsCluster',
      'azureBlobStorageCluster',
      'deltaLake',
      'deltaLakeCluster',
      'deltaLakeLocal',
      'iceberg',
      'icebergLocal',
      'icebergS3',
      'hudiCluster',
      'paimon',
      'paimonLocal',
      'prometheusQuery',
      'prometheusQueryRange',
      'ytsaurus',
      'arrowstream',
    ];
    const rs = await client.query({
      query: 'SELECT name FROM system.table_functions',
      format: 'JSONEachRow',
    });
    const known = new Set((await rs.json<{ name: string }>()).map((r) => r.name));
    const present = missed.filter((name) => known.has(name));
    expect(present.length).toBeGreaterThanOrEqual(12);
    for (const name of present) {
      const answer = await refusal(`SELECT * FROM ${name}('${dataDir}')`);
      expect([name, answer.code, answer.message]).toEqual([
        name,
        'TW_ERR_SQL_NOT_READONLY',
        expect.stringContaining(`${name}()`),
      ]);
    }
    expect((await sql('SELECT toUInt8(count()) AS n FROM numbers(10)')).rows).toEqual([{ n: 10 }]);
    expect((await sql("SELECT toUInt8(sum(x)) AS s FROM values('x UInt8', 1, 2)")).rows).toEqual([{ s: 3 }]);
    await stillAnswers();
  });

  describe('undoing the sandbox', () => {
    it.each([
      ['a trailing SETTINGS readonly = 0', 'SELECT 1 SETTINGS readonly = 0'],
      ['a subquery’s SETTINGS', 'SELECT * FROM (SELECT 1 SETTINGS max_memory_usage = 0)'],
      ['SET', 'SET readonly = 0'],
      ['a second statement', "SELECT 1; SELECT * FROM file('/etc/passwd', 'LineAsString')"],
      ['a table outside the database', 'SELECT * FROM system.named_collections'],
      ['a write', `INSERT INTO ${db}.metrics VALUES ('evil', 0)`],
    ])('refuses %s, and the sandbox holds afterwards', async (_, attack) => {
      const answer = await refusal(attack);
      expect(answer.code).toMatch(/^TW_ERR_(SQL_NOT_READONLY|CLICKHOUSE_QUERY)$/);
      expect(answer.code === 'TW_ERR_SQL_NOT_READONLY' || /READONLY/.test(answer.message)).toBe(true);
      expect((await refusal(`SELECT * FROM file('${tokenFile}', 'LineAsString')`)).code).toBe(
        'TW_ERR_SQL_NOT_READONLY',
      );
      await stillAnswers();
    });
  });

  it('the engine itself refuses in the sandbox session what readonly covers, before any check of ours', async () => {
    const session = new Session(path.join(dataDir, 'clickhouse'));
    try {
      for (const statement of sandboxStatements(DEFAULT_CONSOLE_LIMITS, db)) session.query(statement, 'CSV');
      for (const attack of [
        `SELECT * FROM file('${tokenFile}', 'LineAsString')`,
        `SELECT name FROM filesystem('${dataDir}')`,
        `SELECT * FROM url('http://127.0.0.1:${port}/x', 'RawBLOB')`,
        'SELECT 1 SETTINGS max_memory_usage = 0',
        'SET readonly = 0',
        `INSERT INTO ${db}.metrics VALUES ('evil', 0)`,
      ])
        expect(() => session.query(attack, 'CSV')).toThrow(/READONLY|readonly/);
      expect(hits).toBe(0);
    } finally {
      session.close();
    }
  });

  describe('limits', () => {
    it('refuses a query past its memory limit', async () => {
      const answer = await refusal('SELECT length(groupArray(number)) FROM numbers(20000000)');
      expect(answer).toEqual({
        code: 'TW_ERR_CLICKHOUSE_QUERY',
        message: expect.stringMatching(/MEMORY_LIMIT_EXCEEDED/),
      });
      await stillAnswers();
    });

    it('refuses a query that would read more rows than allowed', async () => {
      const answer = await refusal('SELECT count() FROM numbers(1e12)');
      expect(answer).toEqual({
        code: 'TW_ERR_CLICKHOUSE_QUERY',
        message: expect.stringMatching(/TOO_MANY_ROWS/),
      });
      await stillAnswers();
    });
  });

  it('three long console queries hold up neither SELECT 1, an insert nor a parameterized read; a fifth is refused', async () => {
    const done: string[] = [];
    const LONG = 'SELECT sum(sleepEachRow(0.5)) AS s FROM numbers(16)';
    const longs = [0, 1, 2].map((i) =>
      sql(LONG).then(
        () => void done.push(`long ${i}`),
        (err: Error) => void done.push(`long ${i} failed: ${err.message}`),
      ),
    );
    // Seen from a connection of the test's own: the three are executing in the engine.
    const running = () => {
      const session = new Session(path.join(dataDir, 'clickhouse'));
      try {
        const text = String(
          session.query(
            "SELECT count() FROM system.processes WHERE query LIKE '%sleepEachRow(0.5)%' AND query NOT LIKE '%system.processes%'",
            'CSV',
          ),
        );
        return Number(text.trim());
      } finally {
        session.close();
      }
    };
    await waitFor('three console queries running in the engine at once', () => running() === 3, 30_000);
    const queued = sql('SELECT 42 AS x');
    expect(sqlConsole.queue.queued).toBe(1);
    await expect(sql('SELECT 43')).rejects.toMatchObject({
      code: 'TW_ERR_SQL_CONSOLE_BUSY',
      retryAfterSeconds: expect.any(Number),
    });

    const probes = [
      client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' }).then(async (rs) => {
        expect(await rs.json()).toEqual([{ one: 1 }]);
        done.push('select 1');
      }),
      client
        .insert({ table: `${db}.metrics`, values: [{ host: 'during', value: 2 }], format: 'JSONEachRow' })
        .then(() => done.push('insert')),
      client
        .query({
          query: `SELECT count() AS n FROM ${db}.metrics WHERE host = {h:String}`,
          query_params: { h: 'web-1' },
          format: 'JSONEachRow',
        })
        .then(() => void done.push('parameterized read')),
    ];
    await Promise.all(probes);
    // Every probe finished while all three long queries were still running.
    expect(done).toEqual(expect.arrayContaining(['select 1', 'insert', 'parameterized read']));
    expect(done.filter((d) => d.startsWith('long'))).toEqual([]);
    expect(running()).toBe(3);

    await Promise.all(longs);
    expect(done.filter((d) => d.startsWith('long')).sort()).toEqual(['long 0', 'long 1', 'long 2']);
    expect((await queued).rows).toEqual([{ x: 42 }]);
    expect(
      (await sql('SELECT toUInt8(count()) AS n FROM metrics WHERE host = {h:String}', { h: 'during' })).rows,
    ).toEqual([{ n: 1 }]);
  });
});
