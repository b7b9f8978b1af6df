import type { ConnectionOptions } from 'node:tls';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { readTlsFiles, type ReadFile, type TlsFiles } from '../tls-files';

/** How to reach a cluster: its brokers and, for your own, TLS and SASL (`kafka.tls`, `kafka.sasl`). */
export interface KafkaConnection {
  brokers: string[];
  tls?: TlsFiles;
  sasl?: { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string };
}

/**
 * kafkajs's `ssl` and `sasl` options for a connection. Certificates are always verified
 * (`rejectUnauthorized` stays true); without a CA file the system CAs are trusted.
 */
export function kafkaSecurity(
  connection: KafkaConnection,
  read?: ReadFile,
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  const tls = readTlsFiles(connection.tls, 'kafka.tls', read);
  if (tls) {
    const ssl: ConnectionOptions = { rejectUnauthorized: true };
    if (tls.ca) ssl.ca = [tls.ca];
    if (tls.cert) ssl.cert = tls.cert;
    if (tls.key) ssl.key = tls.key;
    out.ssl = ssl;
  }
  if (connection.sasl) {
    const { mechanism, username, password } = connection.sasl;
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}

/** A human-readable name of how a connection authenticates, for messages (never the password). */
export function describeSecurity(connection: KafkaConnection): string {
  const tls = connection.tls && connection.tls.enabled !== false;
  if (!connection.sasl) return tls ? 'SSL' : 'PLAINTEXT';
  const how = `${connection.sasl.mechanism.toUpperCase()} as ${connection.sasl.username}`;
  return `${tls ? 'SASL_SSL' : 'SASL_PLAINTEXT'} (${how})`;
}
