import fs from 'node:fs';
import path from 'node:path';
import type { Admin, Producer } from 'kafkajs';
import { createKafka, createProducer, ensureTopics, topicNames } from '../../core/kafka';
import { silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { loadSchema, type MetricSample } from '../../schemas';
import { createClickHouse, migrate } from '../../sinks/clickhouse';
import { runCli, spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import { committedTotal } from '../helpers/committed-offsets';
import { check, Ledger } from '../helpers/ledger';
import { holdRawMerges, rawIdCounts, rawRowsAndIds } from '../helpers/raw-rows';
import { testEnv, testEndpoints } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

const WINDOW = 10_000;
const HOSTS = 10;
const PER_HOST = 15_000;
/** kafkajs's default session timeout, which the processor keeps. */
const SESSION_TIMEOUT_MS = 30_000;

/**
 * What a disruption does to the first instance once it has committed mid-stream; resolves with the
 * instance that goes on (the same one, or one started in its place).
 */
type Disruption = (first: RunningCli, restart: () => RunningCli) => Promise<RunningCli>;

/**
 * A processor reads a backlog, is disrupted mid-stream, and goes on: storage must then hold every
 * sample once and every window once with the right count and sum (raw rows, no FINAL).
 */
function disrupted(what: string, label: string, processor: object, disrupt: Disruption) {
  describe(what, () => {
    const env = testEnv(label, { TIDEWATCH_PARTITIONS: '6' });
    const topics = topicNames(env.TIDEWATCH_TOPIC_PREFIX!);
    const configFile = path.join(env.TIDEWATCH_DATA_DIR!, 'config.json');
    const ledger = new Ledger(WINDOW);
    let producer: Producer;
    let admin: Admin;
    const children: RunningCli[] = [];
    const spawn = (args: string[]) => {
      const cli = spawnCli(args, env);
      children.push(cli);
      return cli;
    };

    beforeAll(async () => {
      fs.writeFileSync(
        configFile,
        JSON.stringify({
          agent: { enabled: false },
          processor: { windowsMs: [WINDOW], allowedLatenessMs: 0, idleTimeoutMs: 2000, ...processor },
        }),
      );
      const kafka = createKafka(testEndpoints().brokers, 'sigkill-test', silentLogger);
      admin = kafka.admin();
      producer = createProducer(kafka);
      await Promise.all([admin.connect(), producer.connect()]);
      await ensureTopics(admin, Object.values(topics), 6);
    });

    afterAll(async () => {
      for (const cli of children) {
        if (cli.child.exitCode === null && cli.child.signalCode === null) {
          cli.child.kill('SIGKILL');
          await cli.exited;
        }
      }
      await Promise.all([producer?.disconnect(), admin?.disconnect()]);
      fs.rmSync(env.TIDEWATCH_DATA_DIR!, { recursive: true, force: true });
    });

    it('loses nothing and shows no duplicate sample or window', async () => {
      const serde = createAvroSerde(confluentRegistry(testEndpoints().registryUrl));
      const schemaId = await serde.register(topics.metrics, loadSchema('metric-sample'));
      const base = Math.floor((Date.now() - 60 * 60_000) / WINDOW) * WINDOW;
      for (let seq = 0; seq < PER_HOST; seq += 500) {
        const samples: MetricSample[] = [];
        for (let i = seq; i < seq + 500; i++) {
          for (let h = 0; h < HOSTS; h++) {
            samples.push({
              event_id: `${label}-${h}:1:${i}`,
              host: `${label}-${h}`,
              ts: base + i * 200,
              metric: 'system.cpu.utilization',
              value: ((i * 13 + h) % 100) / 100,
              unit: '1',
              attributes: {},
            });
          }
        }
        await producer.send({
          topic: topics.metrics,
          acks: -1,
          messages: samples.map((s) => ({ key: s.host, value: serde.encode(schemaId, s) })),
        });
        ledger.record(samples);
      }
      const total = HOSTS * PER_HOST;
      const args = ['start', '--config', configFile];
      const openStorage = () =>
        createClickHouse({ username: 'default', password: '', dataDir: env.TIDEWATCH_DATA_DIR! });
      // The tables made ahead, raw merges held: a re-stored sample stays a second row to count.
      const setup = openStorage();
      try {
        await migrate(setup, 'tidewatch');
        await holdRawMerges(setup, 'tidewatch');
      } finally {
        await setup.close();
      }

      const first = spawn(args);
      await waitForLine(first, /^Dashboard: /, 'the first instance to start');
      const group = env.TIDEWATCH_PROCESSOR_GROUP!;
      const disruptedAt = await waitFor(
        'a first commit, mid-stream',
        async () => {
          const committed = await committedTotal(admin, group, topics.metrics);
          return committed > 0 ? committed : undefined;
        },
        120_000,
        20,
      );
      const second = await disrupt(first, () => spawn(args));
      expect(disruptedAt).toBeLessThan(total);
      const sql = (query: string) => {
        const run = runCli(['sql', query, '--format', 'json'], env);
        if (run.status !== 0) throw new Error(run.stderr);
        return JSON.parse(run.stdout) as Record<string, string>[];
      };
      await waitFor(
        'storage to hold every sample and window',
        () => {
          const [row] = sql(
            `SELECT uniqExact(event_id) AS ids, (SELECT sum(count) FROM tidewatch.metrics_10s) AS windowed FROM tidewatch.metrics`,
          );
          return Number(row!.ids) === total && Number(row!.windowed) >= total; // past it: counted twice
        },
        180_000,
        2000,
      );
      second.child.kill('SIGINT');
      expect(await second.exited).toBe(0);

      const clickhouse = openStorage();
      try {
        // Raw rows, no FINAL: a sample stored twice counts twice.
        const ids = await rawIdCounts(clickhouse, 'tidewatch');
        const windows = await (
          await clickhouse.query({
            query:
              'SELECT host, toUnixTimestamp64Milli(window_start) AS window_start_ms, count, sum FROM tidewatch.metrics_10s',
            format: 'JSONEachRow',
          })
        ).json<{ host: string; window_start_ms: string; count: string; sum: number }>();
        expect(check(ledger, ids, windows)).toEqual({
          lost: 0,
          duplicated: 0,
          windowsMissing: 0,
          windowsWrong: 0,
        });
        expect(windows.length).toBe(ledger.windows.size);
        expect(await rawRowsAndIds(clickhouse, 'tidewatch')).toEqual({ rows: total, ids: total });
      } finally {
        await clickhouse.close();
      }
    });
  });
}

disrupted('a processor killed with SIGKILL mid-stream', 'sigkill', {}, async (first, restart) => {
  first.child.kill('SIGKILL');
  await first.exited;
  const second = restart();
  await waitForLine(second, /^Dashboard: /, 'the restarted instance to start');
  return second;
});

/**
 * Stopped past its group's session timeout (a long pause, a frozen VM), the processor is dropped
 * from its group; when it runs again it joins again, keeps its partitions and reads them again
 * from the committed offsets, the window floor, while its windows and detectors still hold what
 * it read. Dedupe remembers 1 000 ids here, as at a fleet's rate it remembers less than a
 * window's worth: what it does not remember must still not be counted twice.
 */
disrupted(
  'a processor stopped past its session timeout mid-stream',
  'stall',
  { dedupeMaxEntries: 1000 },
  async (first) => {
    first.child.kill('SIGSTOP');
    await new Promise((r) => setTimeout(r, SESSION_TIMEOUT_MS + 5000));
    first.child.kill('SIGCONT');
    return first;
  },
);
