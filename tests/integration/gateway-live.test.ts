import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { WebSocket } from 'ws';
import { startInstance, type Instance } from '../../cli/instance';
import { createKafka, topicNames } from '../../core/kafka';
import { createLogger, silentLogger } from '../../core/logger';
import { createMetrics, type PipelineMetrics } from '../../core/metrics';
import { confluentRegistry, createAvroSerde } from '../../core/serde';
import type { MetricAggregate, MetricSample } from '../../schemas';
import { stalledClient } from '../../bench/gateway/stalled-client';
import { kafkaFeed, startGateway, type Gateway, type KafkaFeed } from '../../sinks/gateway';
import { testConfig, testEndpoints, uniqueName } from '../helpers/test-stack';
import { waitFor } from '../helpers/wait-for';
import { collectingClient, type CollectingClient } from '../helpers/ws-client';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
/** Memory still held after a full collection: heap, and buffers outside it (socket queues). */
const retained = () => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
};

const samplesOf = (c: CollectingClient) =>
  c.messages.filter((m) => m.type === 'samples').flatMap((m) => m.samples as MetricSample[]);

describe('gateway live streams on the real stack: scale-out, slow and misbehaving clients', () => {
  const host = uniqueName('gw-live');
  const config = testConfig('gateway-live', {
    TIDEWATCH_AGENT_HOST: host,
    TIDEWATCH_AGENT_INTERVAL_MS: '1000',
  });
  let instance: Instance;
  const extra: { gateway: Gateway; feed: KafkaFeed; metrics: PipelineMetrics }[] = [];
  const clients: CollectingClient[] = [];

  beforeAll(async () => {
    instance = await startInstance(config, createLogger('warn', process.stderr));
    const { brokers, registryUrl } = testEndpoints();
    for (let i = 0; i < 2; i++) {
      const metrics = createMetrics();
      const gateway = await startGateway({
        ...config.gateway,
        port: 0,
        token: instance.token,
        staticRoot: config.dataDir,
        clickhouse: instance.clickhouse,
        database: config.clickhouse.database,
        metrics,
        logger: silentLogger,
        heartbeatMs: 300,
      });
      const feed = await kafkaFeed({
        kafka: createKafka(brokers, `gw-live-${i}`, silentLogger),
        serde: createAvroSerde(confluentRegistry(registryUrl)),
        topics: topicNames(config.kafka.topicPrefix),
        outlet: gateway.hub,
        metrics,
        logger: silentLogger,
      });
      extra.push({ gateway, feed, metrics });
    }
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    for (const { gateway, feed } of extra) await Promise.all([feed.close(), gateway.close()]);
    await instance?.close();
    fs.rmSync(config.dataDir, { recursive: true, force: true });
  });

  const connect = async (gateway: { url: string }) => {
    const c = await collectingClient(`${gateway.url.replace('http', 'ws')}/ws`, instance.token);
    clients.push(c);
    return c;
  };

  it('serves the same live samples from every gateway, each reading Kafka in its own group', async () => {
    const [a, b] = await Promise.all(extra.map((e) => connect(e.gateway)));
    const cpu = (c: CollectingClient) =>
      samplesOf(c).filter((s) => s.host === host && s.metric === 'system.cpu.utilization');
    const seen = await waitFor('a sample that reached both gateways', () =>
      cpu(a!).find((s) => cpu(b!).some((t) => t.event_id === s.event_id)),
    );
    expect(seen.host).toBe(host);
    expect(new Set(extra.map((e) => e.feed.groupId)).size).toBe(2);
  });

  it('sends only the streams, hosts and metrics a client subscribed to: aggregates from the derived topic', async () => {
    const c = await connect(extra[0]!.gateway);
    c.ws.send(
      JSON.stringify({
        type: 'subscribe',
        streams: ['aggregates'],
        hosts: [host],
        metrics: ['system.memory.utilization'],
      }),
    );
    await waitFor('the subscription confirmed', () => c.messages.find((m) => m.type === 'subscribed'));
    const from = c.messages.length;
    const aggregate = await waitFor(
      'a closed window over the WebSocket',
      () => c.messages.slice(from).find((m) => m.type === 'aggregates'),
      60_000,
    );
    const windows = aggregate.aggregates as MetricAggregate[];
    expect(windows.every((w) => w.host === host && w.metric === 'system.memory.utilization')).toBe(true);
    expect(windows[0]!.count).toBeGreaterThan(0);
    expect(c.messages.slice(from).some((m) => m.type === 'samples')).toBe(false);
  });

  it('answers malformed and oversize messages without dropping other clients or crashing', async () => {
    const c = await connect(instance);
    c.ws.send('{"type":"subscribe","streams":["everything"]}');
    const error = await waitFor('an error reply', () => c.messages.find((m) => m.type === 'error'));
    expect(error.reason).toMatch(/expected \{"type":"subscribe"/);
    const closed = new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(200 * 1024));
    expect(await closed).toBe(1009); // Message Too Big, from the gateway
    const other = await connect(instance);
    await waitFor('live samples on a new connection', () => samplesOf(other).length > 0);
    other.close();
  });

  it('terminates a peer that stops answering pings', async () => {
    const url = `${extra[1]!.gateway.url.replace('http', 'ws')}/ws`;
    const silent = new WebSocket(url, {
      headers: { authorization: `Bearer ${instance.token}` },
      autoPong: false,
    });
    await new Promise((resolve, reject) => silent.once('open', resolve).once('error', reject));
    const code = await new Promise<number>((resolve) => silent.once('close', (c) => resolve(c)));
    expect(code).toBe(1006); // terminated, no close frame
  });

  it('keeps its memory bounded for a client that never reads; other clients get the latest of every series', async () => {
    // The instance's own gateway: 30 s heartbeat, so the stalled client is cut for being slow.
    const gateway = { url: instance.url, hub: instance.hub };
    const metrics = instance.metrics;
    const stalled = await stalledClient(Number(new URL(gateway.url).port), instance.token);
    // A reader that keeps only the latest value per series, so this process's memory is the gateway's.
    const reader = new WebSocket(`${gateway.url.replace('http', 'ws')}/ws`, {
      headers: { authorization: `Bearer ${instance.token}` },
    });
    const latest = new Map<string, number>();
    reader.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; samples?: MetricSample[] };
      if (m.type === 'samples')
        for (const s of m.samples!)
          if (s.host === 'flood') latest.set(s.attributes['network.interface.name']!, s.value);
    });
    await new Promise((resolve, reject) => reader.once('open', resolve).once('error', reject));
    const before = retained();
    // 1500 batches of 500 samples: about 200 MB of JSON per client, none of it read by the stalled one.
    const batches = 1500;
    for (let b = 0; b < batches; b++) {
      gateway.hub.samples(
        Array.from({ length: 500 }, (_, i) => ({
          event_id: `flood:${b}:${i}`,
          host: 'flood',
          ts: Date.now(),
          metric: 'system.network.io',
          value: b,
          unit: 'By/s',
          attributes: { 'network.interface.name': `eth${i}`, 'network.io.direction': 'receive' },
        })),
      );
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor('the last value of every series at the reader', () =>
      latest.size === 500 && [...latest.values()].every((v) => v === batches - 1) ? true : undefined,
    );
    const dropped = (await metrics.gatewayMessagesDropped.get()).values;
    expect(dropped.find((v) => v.labels.reason === 'slow_client_disconnected')?.value).toBeGreaterThanOrEqual(
      1,
    );
    expect(reader.readyState).toBe(WebSocket.OPEN);
    // Unbounded, the stalled client's queue alone would hold the 200 MB it was sent.
    expect((retained() - before) / 2 ** 20).toBeLessThan(50);
    reader.close();
    stalled.destroy();
  });
});
