import path from 'node:path';
import { launchJava } from './java-process';

/** Apicurio Registry with kafkasql storage, so schemas live in a Kafka topic and survive restarts. */
export function startRegistry(
  jar: string,
  stackDir: string,
  port: number,
  kafkaPort: number,
): { pid: number; logFile: string } {
  const logFile = path.join(stackDir, 'registry.log');
  const pid = launchJava({
    cwd: path.dirname(jar),
    logFile,
    args: [
      '-Xms64m',
      '-Xmx384m',
      `-Dtidewatch.stack=${stackDir}`,
      `-Dquarkus.http.port=${port}`,
      '-Dquarkus.http.host=127.0.0.1',
      '-Dquarkus.log.level=WARN',
      '-Dquarkus.log.category."io.apicurio".level=WARN',
      '-Dquarkus.http.access-log.enabled=false',
      '-Dapicurio.storage.kind=kafkasql',
      `-Dapicurio.kafkasql.bootstrap.servers=127.0.0.1:${kafkaPort}`,
      '-Dapicurio.kafkasql.topic=_tidewatch_schemas',
      '-jar',
      jar,
    ],
  });
  return { pid, logFile };
}
