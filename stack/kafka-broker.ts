import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StackError } from '../core/errors';
import { privateDir } from '../core/private-files';
import { launchJava } from './java-process';

export interface BrokerPaths {
  dir: string;
  logFile: string;
}

function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=6',
    'auto.create.topics.enable=false',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'log.retention.hours=168',
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
logger.started.name = kafka.server.KafkaRaftServer
logger.started.level = INFO
`;

/**
 * A KRaft cluster id: 16 random bytes, base64url. Like Kafka's own generator it never starts with
 * "-", which the storage tool's argument parser would read as an option.
 */
export function newClusterId(random: (n: number) => Buffer = crypto.randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Writes the broker's config (ports may change between starts), formats storage once, starts it. */
export function startBroker(
  libs: string,
  stackDir: string,
  port: number,
  controllerPort: number,
): { pid: number; paths: BrokerPaths } {
  const dir = path.join(stackDir, 'kafka');
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(stackDir, 'kafka.log');
  privateDir(dir);
  fs.mkdirSync(dataDir, { recursive: true });
  const props = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j2.properties');
  fs.writeFileSync(props, serverProperties(dataDir, port, controllerPort));
  fs.writeFileSync(log4j, LOG4J2);
  const classpath = `${libs}/*`;
  const logOpt = `-Dlog4j2.configurationFile=${log4j}`;
  if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
    const clusterId = newClusterId();
    const format = spawnSync(
      'java',
      [logOpt, '-cp', classpath, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', props],
      { encoding: 'utf8' },
    );
    if (format.status !== 0) {
      throw new StackError(
        'TW_ERR_STACK_START',
        `kafka storage format failed:\n${(format.stderr || format.stdout).slice(-2000)}`,
      );
    }
  }
  const pid = launchJava({
    cwd: dir,
    logFile,
    args: [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      logOpt,
      `-Dtidewatch.stack=${stackDir}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      props,
    ],
  });
  return { pid, paths: { dir, logFile } };
}
