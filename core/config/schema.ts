import os from 'node:os';
import { z } from 'zod';
import { parseRule } from '../../processors/detectors/threshold-rule';
import { deliverySettings } from '../../processors/delivery/settings';
import { DEFAULT_SEALING, sealingSettings } from '../../sinks/clickhouse/sealing-settings';
import { hostLabelsSetting } from '../../producers/host-agent/host-labels';
import { secret } from './secret-setting';
import { saslSettings, tlsSettings, topicsSettings } from './connection-settings';

const port = z.number().int().min(0).max(65535);
const hostPort = z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092');
const days = (d: number) => z.number().int().min(1).max(36_500).default(d);
const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a plain identifier (letters, digits, _)');

const CONSOLE_DEFAULTS = {
  maxMemoryBytes: 1024 ** 3,
  maxExecutionSeconds: 30,
  maxRowsToRead: 1_000_000_000,
  maxResultRows: 100_000,
  maxResultBytes: 64 * 1024 * 1024,
  maxRunning: 2,
  maxWaiting: 4,
};

export const configSchema = z
  .object({
    dataDir: z
      .string()
      .min(1)
      .describe('Folder for all state: stack data, embedded ClickHouse, token, spool'),
    cacheDir: z.string().min(1).describe('Folder for downloaded Kafka and registry distributions'),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    logFormat: z
      .enum(['auto', 'json', 'pretty'])
      .default('auto')
      .describe(
        'Log lines: auto = readable when stderr is a terminal, JSON otherwise; or force json or pretty',
      ),
    kafka: z
      .object({
        brokers: z
          .array(hostPort)
          .min(1)
          .optional()
          .describe('Your Kafka brokers; unset starts the local stack'),
        clientId: z.string().min(1).default('tidewatch'),
        partitions: z.number().int().min(1).max(1000).default(6).describe('Partitions per topic created'),
        topicPrefix: z
          .string()
          .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only')
          .default('')
          .describe('Put in front of every topic name, to share a cluster'),
        tls: tlsSettings.optional().describe('TLS to your brokers (SSL or SASL_SSL listeners)'),
        sasl: saslSettings.optional().describe('SASL authentication to your brokers'),
        replicationFactor: z
          .number()
          .int()
          .min(1)
          .max(32)
          .optional()
          .describe("Replicas of each topic created; unset: the cluster's default.replication.factor"),
        topics: topicsSettings,
        alterTopics: z
          .boolean()
          .default(false)
          .describe(
            'Bring existing topics to their settings at start (more partitions, configs); off: differences are only warned about',
          ),
      })
      .strict()
      .default({ clientId: 'tidewatch', partitions: 6, topicPrefix: '', topics: {}, alterTopics: false }),
    registry: z
      .object({
        url: secret(z.url())
          .optional()
          .describe('Confluent-compatible schema registry; unset starts the local one'),
        username: z.string().min(1).optional().describe('Basic authentication user'),
        password: secret(z.string()).optional().describe('Basic authentication password'),
        tls: tlsSettings.optional().describe('CA (and client certificate) for an https registry'),
      })
      .strict()
      .default({}),
    clickhouse: z
      .object({
        url: secret(z.url()).optional().describe('ClickHouse server URL; unset uses the embedded engine'),
        username: z.string().default('default'),
        password: secret(z.string()).default(''),
        database: identifier.default('tidewatch'),
        cluster: identifier
          .optional()
          .describe(
            'ClickHouse cluster (remote_servers) to create the schema on: Replicated*MergeTree tables and every DDL ON CLUSTER; unset: one server',
          ),
        manageSchema: z
          .boolean()
          .default(true)
          .describe(
            'Create and migrate the schema at start; false: the schema is managed by a DBA, Tidewatch runs no DDL and only checks its tables exist',
          ),
        tls: tlsSettings.optional().describe('CA and client certificate for an https ClickHouse server'),
        valuePrecisionBits: z
          .number()
          .int()
          .min(8)
          .max(52)
          .default(30)
          .describe(
            'Mantissa bits of each raw sample value kept in ClickHouse: 30 keeps about 9 significant digits (relative error < 1e-9) and about 40 % less disk; 52 stores values exactly',
          ),
        retention: z
          .object({
            rawDays: days(7).describe('Days raw samples and process records are kept (metrics, processes)'),
            aggregatesDays: days(30).describe(
              'Days 10 s and 1 min windows are kept (metrics_10s, metrics_1m)',
            ),
            hourlyDays: days(365).describe('Days the hourly rollup is kept (metrics_1h)'),
          })
          .strict()
          .default({ rawDays: 7, aggregatesDays: 30, hourlyDays: 365 }),
        breaker: z
          .object({
            failures: z
              .number()
              .int()
              .min(1)
              .default(5)
              .describe('Consecutive failed inserts that open the circuit breaker'),
            openMs: z
              .number()
              .int()
              .min(100)
              .default(10_000)
              .describe('How long the breaker stays open before one trial insert (half-open)'),
          })
          .strict()
          .default({ failures: 5, openMs: 10_000 }),
        sealing: sealingSettings.default(DEFAULT_SEALING),
        console: z
          .object({
            maxMemoryBytes: z
              .number()
              .int()
              .min(16 * 1024 * 1024)
              .default(1024 ** 3)
              .describe('Memory one SQL console query may use (max_memory_usage); past it the query fails'),
            maxExecutionSeconds: z
              .number()
              .int()
              .min(1)
              .max(3600)
              .default(30)
              .describe('Seconds one SQL console query may run (max_execution_time)'),
            maxRowsToRead: z
              .number()
              .int()
              .min(1)
              .default(1_000_000_000)
              .describe('Rows one SQL console query may read (max_rows_to_read)'),
            maxResultRows: z
              .number()
              .int()
              .min(1)
              .default(100_000)
              .describe('Rows a console result may hold'),
            maxResultBytes: z
              .number()
              .int()
              .min(1024)
              .default(64 * 1024 * 1024)
              .describe('Bytes a console result may hold (max_result_bytes)'),
            maxRunning: z
              .number()
              .int()
              .min(1)
              .max(16)
              .default(2)
              .describe('SQL console queries running at once, each on a thread and one core of its own'),
            maxWaiting: z
              .number()
              .int()
              .min(0)
              .max(100)
              .default(4)
              .describe('SQL console queries waiting for a turn; more are refused with 429 and Retry-After'),
          })
          .strict()
          .default(CONSOLE_DEFAULTS),
      })
      .strict()
      .default({
        username: 'default',
        password: '',
        database: 'tidewatch',
        manageSchema: true,
        valuePrecisionBits: 30,
        retention: { rawDays: 7, aggregatesDays: 30, hourlyDays: 365 },
        breaker: { failures: 5, openMs: 10_000 },
        sealing: DEFAULT_SEALING,
        console: CONSOLE_DEFAULTS,
      }),
    stack: z
      .object({
        kafkaPort: port.default(19092),
        controllerPort: port.default(19093),
        registryPort: port.default(18081),
        kafkaVersion: z.string().default('4.1.1'),
        registryVersion: z.string().default('3.0.9'),
        startTimeoutMs: z.number().int().min(1000).default(240_000),
      })
      .strict()
      .default({
        kafkaPort: 19092,
        controllerPort: 19093,
        registryPort: 18081,
        kafkaVersion: '4.1.1',
        registryVersion: '3.0.9',
        startTimeoutMs: 240_000,
      }),
    agent: z
      .object({
        enabled: z.boolean().default(true),
        host: z.string().min(1).default(os.hostname()),
        labels: hostLabelsSetting,
        procRoot: z
          .string()
          .min(1)
          .default('/proc')
          .describe("The host's /proc: /host/proc in a container with the host's /proc mounted there"),
        hostRoot: z
          .string()
          .min(1)
          .optional()
          .describe(
            "The host's root filesystem mounted in a container (e.g. /host): filesystems are measured there",
          ),
        intervalMs: z.number().int().min(1000).max(3_600_000).default(5000).describe('Collection interval'),
        processesIntervalMs: z
          .number()
          .int()
          .min(1000)
          .default(15_000)
          .describe('Process table scan (top processes, start/exit events)'),
        connectionsIntervalMs: z
          .number()
          .int()
          .min(1000)
          .default(60_000)
          .describe(
            'TCP connection count (each read walks the kernel TCP hash tables: ~5 ms of CPU per table)',
          ),
        collectorTimeoutMs: z
          .number()
          .int()
          .min(100)
          .default(2000)
          .describe('A collector slower than this is skipped for the round'),
        topProcesses: z.number().int().min(1).max(100).default(10),
        maxProcessEvents: z
          .number()
          .int()
          .min(0)
          .max(10_000)
          .default(100)
          .describe('Start/exit events per scan'),
        sendTimeoutMs: z.number().int().min(1000).default(10_000),
        metricsPort: port
          .optional()
          .describe("Serve the agent's Prometheus metrics on this port (unset: off)"),
        metricsHost: z.string().min(1).default('127.0.0.1'),
        statusLogIntervalMs: z.number().int().min(1000).default(60_000),
        spool: z
          .object({
            dir: z.string().min(1).optional().describe('Default: <dataDir>/spool/<host>'),
            maxBytes: z
              .number()
              .int()
              .min(64 * 1024)
              .default(256 * 1024 * 1024),
            segmentBytes: z
              .number()
              .int()
              .min(4096)
              .default(8 * 1024 * 1024),
            fsync: z.enum(['always', 'interval', 'never']).default('interval'),
            fsyncIntervalMs: z.number().int().min(10).default(1000),
            drainBatchRecords: z.number().int().min(1).default(5000),
            drainRecordsPerSec: z.number().min(0).default(0).describe('0: as fast as Kafka takes them'),
            initialBackoffMs: z.number().int().min(1).default(500),
            maxBackoffMs: z.number().int().min(1).default(30_000),
          })
          .strict()
          .refine((s) => s.segmentBytes <= s.maxBytes / 4, {
            message: 'segmentBytes must be at most a quarter of maxBytes (the spool drops whole segments)',
            path: ['segmentBytes'],
          })
          .prefault({}),
      })
      .strict()
      .prefault({}),
    processor: z
      .object({
        enabled: z.boolean().default(true),
        groupId: z.string().min(1).default('tidewatch-processor'),
        windowsMs: z
          .array(z.number().int().min(1000).max(86_400_000))
          .min(1)
          .max(4)
          .default([60_000])
          .describe(
            'Tumbling window sizes; 10 000 adds a 10 s tier (metrics_10s), which at 5–10 s sampling is as many windows as samples',
          ),
        allowedLatenessMs: z.number().int().min(0).max(3_600_000).default(5000),
        idleTimeoutMs: z
          .number()
          .int()
          .min(1000)
          .default(30_000)
          .describe('Quiet partition: watermark moves to processing time'),
        maxOpenWindows: z
          .number()
          .int()
          .min(1)
          .default(1_000_000)
          .describe(
            'Open windows at most (~0.5 KB each); past it the oldest close early (counted). A fleet at 10 s holds about 3 per series',
          ),
        maxHostsPerPartition: z
          .number()
          .int()
          .min(1)
          .default(20_000)
          .describe('Hosts with a watermark of their own per partition; past it the stalest go (counted)'),
        correctionHorizonMs: z
          .number()
          .int()
          .min(0)
          .max(7 * 86_400_000)
          .default(6 * 3_600_000)
          .describe('Late samples this far behind their host’s newest event still correct their window'),
        maxClosedWindows: z
          .number()
          .int()
          .min(0)
          .default(100_000)
          .describe('Closed windows kept for late samples to correct (~0.5 KB each); past it the oldest go'),
        dedupeMaxEntries: z.number().int().min(1).default(500_000),
        dedupeMaxAgeMs: z
          .number()
          .int()
          .min(1000)
          .default(15 * 60_000),
        maxSeriesPerHost: z.number().int().min(1).default(10_000),
        fieldLimits: z
          .object({
            maxHostBytes: z.number().int().min(1).max(65_536).default(253).describe('Longest host name'),
            maxMetricBytes: z.number().int().min(1).max(65_536).default(255).describe('Longest metric name'),
            maxUnitBytes: z.number().int().min(1).max(65_536).default(63).describe('Longest unit'),
            maxEventIdBytes: z.number().int().min(1).max(65_536).default(512).describe('Longest event id'),
            maxAttributes: z
              .number()
              .int()
              .min(0)
              .max(1024)
              .default(32)
              .describe('Most attributes per sample'),
            maxAttributeKeyBytes: z
              .number()
              .int()
              .min(1)
              .max(65_536)
              .default(128)
              .describe('Longest attribute key'),
            maxAttributeValueBytes: z
              .number()
              .int()
              .min(1)
              .max(65_536)
              .default(1024)
              .describe('Longest attribute value'),
          })
          .strict()
          .prefault({})
          .describe(
            "Limits on a sample's identifying fields, in UTF-8 bytes; a sample past one is dead-lettered with the reason",
          ),
        maxFutureSkewMs: z
          .number()
          .int()
          .min(0)
          .default(5 * 60_000),
        maxInFlightEvents: z
          .number()
          .int()
          .min(1000)
          .default(200_000)
          .describe('Unacknowledged events before the source holds'),
        maxInFlightBytes: z
          .number()
          .int()
          .min(2 ** 20)
          .default(64 * 2 ** 20),
        fetchMaxBytesPerPartition: z
          .number()
          .int()
          .min(1024)
          .max(64 * 2 ** 20)
          .default(128 * 1024)
          .describe(
            "Bytes a fetch takes from one partition (as stored: compressed); one partition's batch is at most this, or one record batch when that is larger",
          ),
        heapGrowthPercent: z
          .number()
          .int()
          .min(0)
          .max(300)
          .default(0)
          .describe(
            "How far the JS heap grows past its live size before a full collection, in %; 0: the runtime's own",
          ),
        ...deliverySettings,
      })
      .strict()
      .prefault({}),
    detect: z
      .object({
        enabled: z.boolean().default(true).describe('Anomaly detection on every series'),
        rules: z
          .array(
            z.union([
              z.string(),
              z
                .object({ rule: z.string(), host: z.string().default('*'), name: z.string().optional() })
                .strict(),
            ]),
          )
          .default([])
          .describe('Threshold rules, e.g. "system.cpu.utilization > 0.9 for 2m"')
          .superRefine((rules, ctx) => {
            rules.forEach((r, i) => {
              try {
                if (typeof r === 'string') parseRule(r);
                else parseRule(r.rule, r.host, r.name);
              } catch (err) {
                ctx.addIssue({ code: 'custom', path: [i], message: (err as Error).message });
              }
            });
          }),
        maxSeries: z
          .number()
          .int()
          .min(1)
          .default(300_000)
          .describe(
            'Series with a detector in memory (about 2 KB each); past it the least recently seen starts over (counted)',
          ),
        warmupSamples: z.number().int().min(10).default(50).describe('Samples before a series is scored'),
        openScore: z.number().gt(0).lt(1).default(0.5).describe('Score that opens an incident'),
        criticalScore: z.number().gt(0).max(1).default(0.9),
        closeScore: z.number().gt(0).lt(1).default(0.3),
        closeAfterSamples: z.number().int().min(1).default(3),
        groupWindowMs: z.number().int().min(0).default(120_000),
        staleAfterMs: z.number().int().min(1000).default(300_000),
        stateSnapshotMs: z.number().int().min(1000).default(60_000).describe('How often baselines are saved'),
      })
      .strict()
      .prefault({})
      .superRefine((d, ctx) => {
        if (!(d.closeScore < d.openScore && d.openScore <= d.criticalScore))
          ctx.addIssue({
            code: 'custom',
            message: `need closeScore < openScore <= criticalScore (got ${d.closeScore}, ${d.openScore}, ${d.criticalScore})`,
          });
      }),
    gateway: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: port.default(7878).describe('0 picks a free port'),
        token: secret(z.string().min(16, 'use at least 16 characters'))
          .optional()
          .describe('Unset: generated once'),
        allowedOrigins: z.array(z.url()).default([]).describe('Extra origins allowed to open the WebSocket'),
        maxClients: z.number().int().min(1).default(200),
        maxClientsPerIp: z
          .number()
          .int()
          .min(1)
          .default(20)
          .describe('WebSocket connections one IP may hold'),
        rateLimitPerMinute: z
          .number()
          .int()
          .min(1)
          .default(150)
          .describe('HTTP API requests per minute and IP; past it: 429 with Retry-After'),
        rateLimitExemptLoopback: z
          .boolean()
          .default(true)
          .describe(
            'Do not limit requests from this host (127.0.0.0/8, ::1): the dashboard and CLI here. Turn off behind a reverse proxy on the same host',
          ),
        authFailuresPerMinute: z
          .number()
          .int()
          .min(1)
          .default(30)
          .describe(
            'Failed authentications per minute and IP, on every route (loopback included); past it: 429 with Retry-After',
          ),
        readyStallSeconds: z
          .number()
          .int()
          .min(1)
          .default(60)
          .describe('/ready answers 503 when work is pending and no sink has made progress for this long'),
        sendQueueBytes: z
          .number()
          .int()
          .min(1024)
          .default(4 * 1024 * 1024),
      })
      .strict()
      .default({
        host: '127.0.0.1',
        port: 7878,
        allowedOrigins: [],
        maxClients: 200,
        maxClientsPerIp: 20,
        rateLimitPerMinute: 150,
        rateLimitExemptLoopback: true,
        authFailuresPerMinute: 30,
        readyStallSeconds: 60,
        sendQueueBytes: 4 * 1024 * 1024,
      }),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (!!c.kafka.brokers !== !!c.registry.url) {
      ctx.addIssue({
        code: 'custom',
        path: [c.kafka.brokers ? 'registry' : 'kafka'],
        message:
          'set both KAFKA_BROKERS and SCHEMA_REGISTRY_URL to use your own, or neither to start the local stack',
      });
    }
    for (const key of ['tls', 'sasl', 'replicationFactor'] as const) {
      if (c.kafka[key] !== undefined && !c.kafka.brokers)
        ctx.addIssue({
          code: 'custom',
          path: ['kafka', key],
          message: 'applies to your own brokers: set KAFKA_BROKERS too (the local stack is plain and local)',
        });
    }
    if ((c.registry.username === undefined) !== (c.registry.password === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['registry'],
        message: 'set both username and password, or neither',
      });
    if (c.clickhouse.cluster !== undefined && !c.clickhouse.url)
      ctx.addIssue({
        code: 'custom',
        path: ['clickhouse', 'cluster'],
        message: 'applies to a ClickHouse server (CLICKHOUSE_URL); the embedded engine is one node',
      });
    if (c.clickhouse.tls && !c.clickhouse.url?.startsWith('https:'))
      ctx.addIssue({
        code: 'custom',
        path: ['clickhouse', 'tls'],
        message: 'applies to a ClickHouse server reached over https: set CLICKHOUSE_URL=https://…',
      });
    const ports = [c.stack.kafkaPort, c.stack.controllerPort, c.stack.registryPort].filter((p) => p !== 0);
    if (!c.kafka.brokers && new Set(ports).size !== ports.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['stack'],
        message: 'kafkaPort, controllerPort and registryPort must differ',
      });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
