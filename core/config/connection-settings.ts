import { z } from 'zod';
import { secret } from './secret-setting';

const file = z.string().min(1);

/** TLS towards a server: which CAs to trust and, for mutual TLS, this client's certificate. */
export const tlsSettings = z
  .object({
    enabled: z
      .boolean()
      .default(true)
      .describe(
        'Connect over TLS; without `ca` the system CAs are trusted. Certificates are always verified',
      ),
    ca: file.optional().describe('PEM file of the CA(s) to trust instead of the system CAs'),
    cert: file.optional().describe('PEM file of the client certificate (mutual TLS)'),
    key: file.optional().describe('PEM file of the client private key (mutual TLS)'),
  })
  .strict()
  .refine((t) => !t.cert === !t.key, {
    message: 'set both cert and key for a client certificate, or neither',
  });

export type TlsSettings = z.infer<typeof tlsSettings>;

/** Kafka SASL: PLAIN or SCRAM (only over TLS in practice, since PLAIN sends the password as is). */
export const saslSettings = z
  .object({
    mechanism: z
      .enum(['plain', 'scram-sha-256', 'scram-sha-512'])
      .describe('SASL mechanism the listener takes'),
    username: z.string().min(1),
    password: secret(z.string().min(1)).describe('Also from TIDEWATCH_KAFKA_SASL_PASSWORD_FILE'),
  })
  .strict();

export type SaslSettings = z.infer<typeof saslSettings>;

/** A topic's settings, applied when Tidewatch creates it and compared with an existing one. */
export const topicSettings = z
  .object({
    partitions: z.number().int().min(1).max(10_000).optional().describe('Default: kafka.partitions'),
    replicationFactor: z
      .number()
      .int()
      .min(1)
      .max(32)
      .optional()
      .describe("Default: kafka.replicationFactor, else the cluster's default.replication.factor"),
    config: z
      .record(z.string().regex(/^[a-z0-9.]+$/, 'a Kafka topic config name, e.g. retention.ms'), z.string())
      .default({})
      .describe('Topic configs, e.g. {"retention.ms": "604800000", "min.insync.replicas": "2"}'),
  })
  .strict();

export type TopicSettings = z.infer<typeof topicSettings>;

export const topicKeys = ['metrics', 'processes', 'aggregates', 'anomalies', 'dlq'] as const;

/** Per-topic settings, keyed by the topic's short name (metrics, processes, aggregates, anomalies, dlq). */
export const topicsSettings = z
  .partialRecord(z.enum(topicKeys), topicSettings)
  .default({})
  .describe(
    'Per-topic partitions, replication factor and configs, keyed by metrics, processes, aggregates, anomalies, dlq',
  );
