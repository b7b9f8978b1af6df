import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import { kafkaHealthy, waitHealthy } from '../../stack/health';
import { launchJava, stopProcess } from '../../stack/java-process';
import { newClusterId } from '../../stack/kafka-broker';
import { resolveKafka } from '../../stack/maven';
import { freePort } from '../../stack/ports';
import { makeCertificates } from './test-certificates';

export interface SecureBroker {
  /** The SASL_SSL listener (SCRAM-SHA-512 over TLS). */
  brokers: string[];
  /** The CA that signed the broker's certificate (PEM). */
  caFile: string;
  /** A CA that signed nothing the broker shows: a client trusting only it must refuse the broker. */
  otherCaFile: string;
  /** The broker's key and certificate (PEM, SAN 127.0.0.1), for a test's own TLS server. */
  serverKeyFile: string;
  serverCertFile: string;
  username: string;
  password: string;
  remove(): Promise<void>;
}

const run = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

function serverProperties(
  dir: string,
  ports: { sasl: number; internal: number; controller: number },
  pass: string,
) {
  const jaas = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${ports.controller}`,
    `listeners=SASL_SSL://127.0.0.1:${ports.sasl},INTERNAL://127.0.0.1:${ports.internal},CONTROLLER://127.0.0.1:${ports.controller}`,
    `advertised.listeners=SASL_SSL://127.0.0.1:${ports.sasl},INTERNAL://127.0.0.1:${ports.internal}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=INTERNAL',
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas}`,
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${path.join(dir, 'broker.p12')}`,
    `ssl.keystore.password=${pass}`,
    `ssl.key.password=${pass}`,
    `ssl.truststore.location=${path.join(dir, 'truststore.jks')}`,
    `ssl.truststore.password=${pass}`,
    'ssl.client.auth=none',
    `log.dirs=${path.join(dir, 'data')}`,
    'num.partitions=2',
    'default.replication.factor=1',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=2',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    '',
  ].join('\n');
}

const LOG4J2 = `status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stdout.ref = STDOUT
`;

/**
 * A Kafka broker of a test's own with a SASL_SSL listener (SCRAM-SHA-512 over TLS, a certificate
 * signed by a CA made at test time). The controller and the inter-broker listener stay PLAINTEXT
 * on loopback; the SCRAM user is created when the storage is formatted, as KRaft requires.
 */
export async function secureBroker(label: string): Promise<SecureBroker> {
  const config = loadConfig({
    env: { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, TIDEWATCH_CACHE_DIR: process.env.TIDEWATCH_CACHE_DIR },
  });
  const libs = await resolveKafka(config.cacheDir, config.stack.kafkaVersion);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tidewatch-${label}-secure-`));
  const storePass = crypto.randomBytes(12).toString('hex');
  const username = 'tidewatch';
  const password = crypto.randomBytes(12).toString('base64url');
  const { caFile, otherCaFile } = makeCertificates(dir, storePass);
  const ports = { sasl: await freePort(), internal: await freePort(), controller: await freePort() };
  const props = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j2.properties');
  const logFile = path.join(dir, 'kafka.log');
  fs.writeFileSync(props, serverProperties(dir, ports, storePass));
  fs.writeFileSync(log4j, LOG4J2);
  const logOpt = `-Dlog4j2.configurationFile=${log4j}`;
  const classpath = `${libs}/*`;
  const scram = `SCRAM-SHA-512=[name=${username},password=${password}]`;
  run(
    'java',
    [
      logOpt,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      newClusterId(),
      '-c',
      props,
      '--add-scram',
      scram,
    ],
    dir,
  );
  const pid = launchJava({
    cwd: dir,
    logFile,
    args: [
      '-Xms128m',
      '-Xmx512m',
      logOpt,
      `-Dtidewatch.stack=${dir}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      props,
    ],
  });
  await waitHealthy({
    name: 'Kafka (SASL_SSL)',
    pid,
    marker: dir,
    logFile,
    deadline: Date.now() + 120_000,
    probe: () => kafkaHealthy(`127.0.0.1:${ports.internal}`),
  });
  return {
    brokers: [`127.0.0.1:${ports.sasl}`],
    caFile,
    otherCaFile,
    serverKeyFile: path.join(dir, 'broker.key'),
    serverCertFile: path.join(dir, 'broker.pem'),
    username,
    password,
    async remove() {
      await stopProcess(pid, dir, 30_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
