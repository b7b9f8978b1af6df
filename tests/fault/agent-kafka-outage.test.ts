import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { createKafka, ensureTopics, topicNames } from '../../core/kafka';
import { silentLogger } from '../../core/logger';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import { createClickHouse, migrate } from '../../sinks/clickhouse';
import { freePort } from '../../stack/ports';
import { runCli, spawnCli, waitForLine, type RunningCli } from '../helpers/cli-process';
import { scrape } from '../helpers/prometheus-text';
import { holdRawMerges, rawIdCounts } from '../helpers/raw-rows';
import { restartableBroker, type RestartableBroker } from '../helpers/restartable-broker';
import { testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';

jest.setTimeout(600_000);

const OUTAGE_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Status {
  host: string;
  boot: number;
  emitted: number;
  dropped: number;
  sent: number;
}

/**
 * The agent's delivery promise on a real broker: Kafka stopped for 60 s and started again; the agent
 * killed with SIGKILL in the middle of draining its spool and restarted; a second agent whose spool
 * is too small for the outage. The checker compares what storage and the processes topic hold with
 * the ids each agent emitted (`host:boot:seq`, seq counting every record from 0).
 */
describe('host agents through a Kafka outage', () => {
  const name = uniqueName('outage');
  const topics = topicNames(`${name}.`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidewatch-outage-'));
  const children: RunningCli[] = [];
  let broker: RestartableBroker;
  let admin: Admin;

  beforeAll(async () => {
    broker = await restartableBroker('outage');
    admin = createKafka(broker.brokers, 'outage-test', silentLogger).admin();
    await admin.connect();
    await ensureTopics(admin, Object.values(topics), 2);
  });

  afterAll(async () => {
    for (const cli of children) {
      if (cli.child.exitCode === null && cli.child.signalCode === null) {
        cli.child.kill('SIGKILL');
        await cli.exited;
      }
    }
    await admin?.disconnect();
    await broker?.remove();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers every emitted record exactly once, and a full spool accounts for every drop', async () => {
    const env = {
      KAFKA_BROKERS: broker.brokers.join(','),
      SCHEMA_REGISTRY_URL: testEndpoints().registryUrl,
      TIDEWATCH_TOPIC_PREFIX: `${name}.`,
      TIDEWATCH_PROCESSOR_GROUP: `${name}-processor`,
      TIDEWATCH_DATA_DIR: dataDir,
      TIDEWATCH_GATEWAY_PORT: '0',
      TIDEWATCH_LOG_LEVEL: 'warn',
    };
    const configFile = (label: string, settings: object) => {
      const file = path.join(dataDir, `${label}.json`);
      fs.writeFileSync(file, JSON.stringify(settings));
      return file;
    };
    const [portA, portB] = [await freePort(), await freePort()];
    const hostA = `${name}-a`;
    const hostB = `${name}-b`;
    const agentA = configFile('a', {
      agent: {
        host: hostA,
        intervalMs: 1000,
        processesIntervalMs: 2000,
        metricsPort: portA,
        // Paced so that the drain after the outage lasts long enough to be interrupted.
        spool: { fsync: 'always', drainBatchRecords: 100, drainRecordsPerSec: 400, maxBackoffMs: 2000 },
      },
    });
    const agentB = configFile('b', {
      agent: {
        host: hostB,
        intervalMs: 1000,
        metricsPort: portB,
        spool: { maxBytes: 64 * 1024, segmentBytes: 16 * 1024, maxBackoffMs: 2000 },
      },
    });
    const spawn = async (file: string) => {
      const cli = spawnCli(['agent', '--config', file], env);
      children.push(cli);
      await waitForLine(cli, /^Agent: /, 'the agent to start');
      return cli;
    };
    const metricsOf = (port: number) => scrape(`http://127.0.0.1:${port}/metrics`);
    const stopped = async (cli: RunningCli): Promise<Status> => {
      cli.child.kill('SIGINT');
      expect(await cli.exited).toBe(0);
      const line = cli.stdout.find((l) => l.startsWith('Stopped: '));
      if (!line) throw new Error(`no final status from the agent:\n${cli.stderr()}`);
      return JSON.parse(line.slice('Stopped: '.length)) as Status;
    };

    const a1 = await spawn(agentA);
    const b = await spawn(agentB);
    await waitFor('both agents sending', async () => {
      const [a, bm] = await Promise.all([metricsOf(portA), metricsOf(portB)]);
      return a.tidewatch_agent_records_sent_total! > 0 && bm.tidewatch_agent_records_sent_total! > 0;
    });

    await broker.stop();
    await sleep(OUTAGE_MS);
    const [aDown, bDown] = await Promise.all([metricsOf(portA), metricsOf(portB)]);
    expect(aDown.tidewatch_agent_kafka_up).toBe(0);
    expect(aDown.tidewatch_agent_spool_records).toBeGreaterThan(1000);
    expect(bDown.tidewatch_agent_records_dropped_total).toBeGreaterThan(0);
    expect(bDown.tidewatch_agent_spool_bytes).toBeLessThanOrEqual(64 * 1024);

    await broker.start();
    const backlog = aDown.tidewatch_agent_spool_records!;
    await waitFor(
      'agent A half-way through its drain',
      async () => {
        const m = await metricsOf(portA);
        return m.tidewatch_agent_spool_records! < backlog * 0.7 && m.tidewatch_agent_spool_records! > 300;
      },
      120_000,
      100,
    );
    a1.child.kill('SIGKILL');
    await a1.exited;
    const a2 = await spawn(agentA);
    await waitFor(
      'both spools drained',
      async () => {
        const [a, bm] = await Promise.all([metricsOf(portA), metricsOf(portB)]);
        return a.tidewatch_agent_spool_records === 0 && bm.tidewatch_agent_spool_records === 0;
      },
      120_000,
    );
    await sleep(2000);
    const [statusA2, statusB] = await Promise.all([stopped(a2), stopped(b)]);
    expect(statusB.dropped).toBeGreaterThan(0);

    // What reached Kafka: every distinct id on the two topics.
    const serde = createAvroSerde(confluentRegistry(env.SCHEMA_REGISTRY_URL));
    const onTopic = { metrics: new Set<string>(), processes: new Set<string>() };
    const ends = async (topic: string) =>
      (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
    const total = (await ends(topics.metrics)) + (await ends(topics.processes));
    let read = 0;
    const consumer = createKafka(broker.brokers, 'outage-check', silentLogger).consumer({
      groupId: `${name}-check`,
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.metrics, topics.processes], fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        await serde.prepare(batch.messages.map((m) => m.value));
        const ids = batch.topic === topics.metrics ? onTopic.metrics : onTopic.processes;
        for (const m of batch.messages) ids.add(serde.decode<{ event_id: string }>(m.value).event_id);
        read += batch.messages.length;
      },
    });
    await waitFor('both topics read to their end', () => read >= total, 60_000);
    await consumer.disconnect();

    // What reached storage: the processor reads the metrics topic into ClickHouse. The tables are
    // made ahead with raw merges held, so a sample stored twice stays a second row to count.
    const setup = createClickHouse({ username: 'default', password: '', dataDir });
    try {
      await migrate(setup, 'tidewatch');
      await holdRawMerges(setup, 'tidewatch');
    } finally {
      await setup.close();
    }
    const processor = spawnCli(
      ['start', '--config', configFile('processor', { agent: { enabled: false } })],
      env,
    );
    children.push(processor);
    await waitForLine(processor, /^Dashboard: /, 'the processor to start');
    await waitFor(
      'every sample on the topic in ClickHouse',
      () => {
        const run = runCli(
          [
            'sql',
            `SELECT uniqExact(event_id) AS n FROM tidewatch.metrics WHERE host IN ('${hostA}', '${hostB}')`,
            '--format',
            'json',
          ],
          env,
        );
        if (run.status !== 0) throw new Error(run.stderr);
        const [row] = JSON.parse(run.stdout) as { n: string }[];
        return Number(row!.n) >= onTopic.metrics.size;
      },
      180_000,
      2000,
    );
    processor.child.kill('SIGINT');
    expect(await processor.exited).toBe(0);

    const clickhouse = createClickHouse({ username: 'default', password: '', dataDir });
    const stored = new Map<string, number>();
    try {
      // Raw rows, no FINAL: a sample stored twice counts twice.
      const rows = await rawIdCounts(clickhouse, 'tidewatch', 'host IN ({a:String}, {b:String})', {
        a: hostA,
        b: hostB,
      });
      for (const r of rows) stored.set(r.event_id, Number(r.n));
    } finally {
      await clickhouse.close();
    }
    // Process records are not stored in ClickHouse yet: they count from their topic.
    const processIds = onTopic.processes;
    expect(processIds.size).toBeGreaterThan(0);

    // The checker: per agent incarnation, which of the ids it emitted are missing or stored twice.
    const seqs = new Map<string, Set<number>>();
    for (const id of [...stored.keys(), ...processIds]) {
      const at = id.lastIndexOf(':');
      const incarnation = id.slice(0, at);
      const set = seqs.get(incarnation) ?? new Set<number>();
      set.add(Number(id.slice(at + 1)));
      seqs.set(incarnation, set);
    }
    const lostIn = (incarnation: string, emitted: number) => {
      const got = seqs.get(incarnation) ?? new Set<number>();
      let lost = 0;
      for (let seq = 0; seq < emitted; seq++) if (!got.has(seq)) lost++;
      return lost;
    };
    const duplicated = [...stored.values()].reduce((sum, n) => sum + n - 1, 0);
    const incarnationsA = [...seqs.keys()].filter((k) => k.startsWith(`${hostA}:`));
    expect(incarnationsA).toHaveLength(2);
    const killed = incarnationsA.find((k) => k !== `${hostA}:${statusA2.boot}`)!;
    // The killed agent's emitted count died with it: every id up to the highest one stored must be there.
    const killedEmitted = Math.max(...seqs.get(killed)!) + 1;
    expect(killedEmitted).toBeGreaterThan(backlog);
    const result = {
      duplicated,
      lostKilledAgent: lostIn(killed, killedEmitted),
      lostRestartedAgent: lostIn(`${hostA}:${statusA2.boot}`, statusA2.emitted),
      // The small spool: every id it emitted was delivered or counted as dropped.
      unaccountedSmallSpool:
        statusB.emitted - statusB.dropped - (seqs.get(`${hostB}:${statusB.boot}`)?.size ?? 0),
    };
    expect(result).toEqual({
      duplicated: 0,
      lostKilledAgent: 0,
      lostRestartedAgent: 0,
      unaccountedSmallSpool: 0,
    });
  });
});
