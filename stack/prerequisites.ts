import { spawnSync } from 'node:child_process';
import { StackError } from '../core/errors';

/** Java 17+ and Maven must be on PATH; the error says what to install when they are not. */
export function checkPrerequisites(env: NodeJS.ProcessEnv = process.env): void {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8', env });
  if (java.error || java.status !== 0) {
    throw new StackError(
      'TW_ERR_STACK_PREREQ',
      'Java is not on PATH. Install Java 17 or newer (e.g. apt-get install openjdk-17-jre-headless), or point KAFKA_BROKERS and SCHEMA_REGISTRY_URL at your own Kafka and registry.',
    );
  }
  const match = /version "(\d+)/.exec(java.stderr + java.stdout);
  const major = match ? Number(match[1]) : 0;
  if (major < 17) {
    throw new StackError(
      'TW_ERR_STACK_PREREQ',
      `Java ${major || '(unknown version)'} found; the local stack needs Java 17 or newer.`,
    );
  }
  const mvn = spawnSync('mvn', ['--version'], { encoding: 'utf8', env });
  if (mvn.error || mvn.status !== 0) {
    throw new StackError(
      'TW_ERR_STACK_PREREQ',
      'Maven (mvn) is not on PATH; it fetches Kafka and the schema registry from Maven Central. Install it (e.g. apt-get install maven).',
    );
  }
}
