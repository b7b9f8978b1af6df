import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { silentLogger } from '../../core/logger';
import { createMetrics } from '../../core/metrics';
import type { Anomaly, MetricAggregate, MetricSample } from '../../schemas';
import { liveHub } from './live-hub';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  terminated = false;
  send(message: string) {
    this.sent.push(message);
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
    this.emit('close');
  }
  ping() {}
  close() {
    this.emit('close');
  }
}

const sample = (host: string, metric = 'system.cpu.utilization'): MetricSample => ({
  event_id: `${host}:1:1`,
  host,
  ts: 1,
  metric,
  value: 0.5,
  unit: '1',
  attributes: {},
});

const flush = () => new Promise((r) => setImmediate(r));

describe('liveHub', () => {
  const setup = (clock?: () => number) => {
    const metrics = createMetrics();
    const hub = liveHub({ sendQueueBytes: 100, maxDroppedInARow: 3, metrics, logger: silentLogger, clock });
    return { hub, metrics };
  };
  const connect = async (hub: ReturnType<typeof liveHub>) => {
    const ws = new FakeSocket();
    hub.add(ws as unknown as WebSocket, async () => [sample('old')]);
    await flush();
    return ws;
  };
  const messages = (ws: FakeSocket) => ws.sent.map((m) => JSON.parse(m));

  it('answers a message it fails to handle by closing that client (1011), never by throwing', async () => {
    const { hub } = setup();
    const ws = await connect(hub);
    const closed: unknown[] = [];
    ws.send = () => {
      throw new Error('socket broke');
    };
    ws.close = (...args: unknown[]) => void closed.push(args);
    expect(() => ws.emit('message', Buffer.from('{"type":"subscribe"}'), false)).not.toThrow();
    expect(closed).toEqual([[1011, 'internal error']]);
    expect(() => ws.emit('error', new Error('bad frame'))).not.toThrow();
  });

  it('sends a snapshot first, then live samples matching the subscription', async () => {
    const { hub } = setup();
    const ws = await connect(hub);
    ws.emit('message', Buffer.from(JSON.stringify({ type: 'subscribe', hosts: ['a'] })), false);
    hub.samples([sample('a'), sample('b')]);
    expect(messages(ws).map((m) => m.type)).toEqual(['snapshot', 'subscribed', 'samples']);
    expect(messages(ws)[2].samples.map((s: MetricSample) => s.host)).toEqual(['a']);
  });

  it('stamps each live message with the time the gateway sent it', async () => {
    let now = 1_000;
    const { hub } = setup(() => now);
    const ws = await connect(hub);
    ws.emit(
      'message',
      Buffer.from(JSON.stringify({ type: 'subscribe', streams: ['samples', 'aggregates'] })),
      false,
    );
    now = 2_000;
    hub.samples([sample('a')]);
    now = 3_000;
    hub.aggregates([{ ...sample('a'), window_ms: 60_000 } as unknown as MetricAggregate]);
    expect(
      messages(ws)
        .slice(2)
        .map((m) => [m.type, m.at]),
    ).toEqual([
      ['samples', 2_000],
      ['aggregates', 3_000],
    ]);
  });

  it('answers a malformed message with an error and keeps the client', async () => {
    const { hub } = setup();
    const ws = await connect(hub);
    ws.emit('message', Buffer.from('{not json'), false);
    ws.emit('message', Buffer.from(JSON.stringify({ type: 'subscribe', hosts: 'a' })), false);
    expect(
      messages(ws)
        .slice(1)
        .map((m) => m.type),
    ).toEqual(['error', 'error']);
    expect(hub.size).toBe(1);
  });

  it('disconnects a client that stays behind, counting it; others are unaffected', async () => {
    const { hub, metrics } = setup();
    const slow = await connect(hub);
    const fast = await connect(hub);
    slow.bufferedAmount = 1000;
    for (let i = 0; i < 3; i++) hub.samples([sample('a')]);
    expect(slow.sent).toHaveLength(1);
    expect(slow.terminated).toBe(true);
    expect(fast.sent).toHaveLength(4);
    const dropped = (await metrics.gatewayMessagesDropped.get()).values;
    expect(dropped.find((v) => v.labels.reason === 'conflated')?.value).toBe(1);
    expect(dropped.find((v) => v.labels.reason === 'slow_client_disconnected')?.value).toBe(1);
    expect(hub.size).toBe(1);
  });

  it('gives a client that fell behind the latest sample of each series once it drains', async () => {
    const { hub, metrics } = setup();
    const slow = await connect(hub);
    slow.bufferedAmount = 1000;
    const at = (host: string, value: number) => ({ ...sample(host), value });
    hub.samples([at('a', 0.1), at('b', 0.2)]);
    hub.samples([at('a', 0.3)]);
    expect(slow.sent).toHaveLength(1); // only the snapshot so far
    slow.bufferedAmount = 0;
    hub.samples([at('c', 0.4)]);
    const [, catchUp, live] = messages(slow);
    expect(catchUp).toMatchObject({ type: 'samples', conflated: true });
    expect(catchUp.samples.map((s: MetricSample) => [s.host, s.value])).toEqual([
      ['a', 0.3],
      ['b', 0.2],
    ]);
    expect(live.samples.map((s: MetricSample) => s.host)).toEqual(['c']);
    const dropped = (await metrics.gatewayMessagesDropped.get()).values;
    expect(dropped.find((v) => v.labels.reason === 'conflated')?.value).toBe(1);
    expect(slow.terminated).toBe(false);
  });

  it('delivers the conflated samples at the heartbeat when nothing new arrives', async () => {
    const { hub } = setup();
    const slow = await connect(hub);
    slow.bufferedAmount = 1000;
    hub.samples([sample('a')]);
    slow.bufferedAmount = 0;
    slow.emit('pong');
    hub.heartbeat();
    expect(messages(slow).at(-1)).toMatchObject({ type: 'samples', conflated: true });
  });

  it('terminates a peer that did not answer the last ping', async () => {
    const { hub } = setup();
    const quiet = await connect(hub);
    const lively = await connect(hub);
    hub.heartbeat();
    lively.emit('pong');
    hub.heartbeat();
    expect(quiet.terminated).toBe(true);
    expect(lively.terminated).toBe(false);
  });

  it('sends each stream only to the clients subscribed to it, filtered by host and metric', async () => {
    const { hub } = setup();
    const all = await connect(hub);
    const aggOnly = await connect(hub);
    const say = (ws: FakeSocket, body: object) =>
      ws.emit('message', Buffer.from(JSON.stringify({ type: 'subscribe', ...body })), false);
    say(all, { streams: ['samples', 'aggregates', 'anomalies', 'pipeline'] });
    say(aggOnly, { streams: ['aggregates'], metrics: ['system.memory.utilization'] });
    const aggregate = (metric: string) =>
      ({ host: 'a', metric, window_start: 0, window_ms: 60_000 }) as unknown as MetricAggregate;
    hub.samples([sample('a')]);
    hub.aggregates([aggregate('system.cpu.utilization'), aggregate('system.memory.utilization')]);
    hub.anomalies([{ host: 'a', metric: 'system.cpu.utilization' } as Anomaly]);
    expect(hub.wants('pipeline')).toBe(true);
    hub.pipeline({ events: 1 });
    expect(messages(all).map((m) => m.type)).toEqual([
      'snapshot',
      'subscribed',
      'samples',
      'aggregates',
      'anomalies',
      'pipeline',
    ]);
    const [, subscribed, aggregates] = messages(aggOnly);
    expect(subscribed.streams).toEqual(['aggregates']);
    expect(aggregates.aggregates.map((a: MetricAggregate) => a.metric)).toEqual([
      'system.memory.utilization',
    ]);
    expect(messages(aggOnly)).toHaveLength(3);
  });

  it('refuses a client’s messages past its allowance per minute, answering once, until the minute ends', async () => {
    let now = 0;
    const metrics = createMetrics();
    const hub = liveHub({
      sendQueueBytes: 1e6,
      maxDroppedInARow: 3,
      maxMessagesPerMinute: 2,
      metrics,
      logger: silentLogger,
      clock: () => now,
    });
    const ws = await connect(hub);
    const subscribe = () =>
      ws.emit('message', Buffer.from(JSON.stringify({ type: 'subscribe', hosts: ['a'] })), false);
    for (let i = 0; i < 5; i++) subscribe();
    expect(messages(ws).map((m) => m.type)).toEqual(['snapshot', 'subscribed', 'subscribed', 'error']);
    expect(messages(ws)[3].reason).toMatch(/at most 2 messages a minute/);
    const refused = (await metrics.gatewayRequestsRefused.get()).values;
    expect(refused.find((v) => v.labels.reason === 'client_message_rate')?.value).toBe(3);
    now = 60_000;
    subscribe();
    expect(messages(ws).at(-1).type).toBe('subscribed');
  });
});
