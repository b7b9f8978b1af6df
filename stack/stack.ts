import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger';
import { StackError } from '../core/errors';
import { isOurProcess, stopProcess } from './java-process';
import { kafkaHealthy, registryHealthy, waitHealthy } from './health';
import { resolveKafka, resolveRegistry } from './maven';
import { freePort, isPortFree } from './ports';
import { checkPrerequisites } from './prerequisites';
import { startBroker } from './kafka-broker';
import { startRegistry } from './schema-registry';

export interface StackOptions {
  dataDir: string;
  cacheDir: string;
  kafkaPort: number;
  controllerPort: number;
  registryPort: number;
  kafkaVersion: string;
  registryVersion: string;
  startTimeoutMs: number;
  logger: Logger;
}

export interface StackState {
  kafka: { pid: number; port: number; controllerPort: number };
  registry: { pid: number; port: number };
  startedAt: string;
}

export interface StackEndpoints {
  brokers: string[];
  registryUrl: string;
}

export const stackDirOf = (dataDir: string) => path.join(dataDir, 'stack');
const stateFile = (dataDir: string) => path.join(stackDirOf(dataDir), 'state.json');

export const endpointsOf = (state: StackState): StackEndpoints => ({
  brokers: [`127.0.0.1:${state.kafka.port}`],
  registryUrl: `http://127.0.0.1:${state.registry.port}/apis/ccompat/v7`,
});

function readState(dataDir: string): StackState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dataDir), 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

export interface StackStatus {
  kafka: boolean;
  registry: boolean;
  state?: StackState;
}

/** Which of this data directory's stack processes are alive. */
export function stackStatus(dataDir: string): StackStatus {
  const state = readState(dataDir);
  const marker = stackDirOf(dataDir);
  return {
    state,
    kafka: !!state && isOurProcess(state.kafka.pid, marker),
    registry: !!state && isOurProcess(state.registry.pid, marker),
  };
}

async function choosePort(wanted: number, setting: string): Promise<number> {
  if (wanted === 0) return freePort();
  if (!(await isPortFree(wanted))) {
    throw new StackError(
      'TW_ERR_STACK_PORT_TAKEN',
      `port ${wanted} (${setting}) is already in use. Stop what listens there, or choose another port (0 picks a free one).`,
    );
  }
  return wanted;
}

/**
 * Starts Kafka and the registry for this data directory unless they already run (then reuses
 * them). Returns whether this call started anything, so the caller knows whether to stop it.
 */
export async function stackUp(
  options: StackOptions,
): Promise<{ endpoints: StackEndpoints; started: boolean }> {
  const { dataDir, logger } = options;
  const dir = stackDirOf(dataDir);
  const status = stackStatus(dataDir);
  if (status.kafka && status.registry && status.state) {
    logger.info({ component: 'stack' }, 'local stack already running; reusing it');
    return { endpoints: endpointsOf(status.state), started: false };
  }
  if (status.state) await stackDown(dataDir, logger);

  checkPrerequisites();
  fs.mkdirSync(dir, { recursive: true });
  const kafkaPort = await choosePort(options.kafkaPort, 'stack.kafkaPort, env TIDEWATCH_KAFKA_PORT');
  const controllerPort = await choosePort(
    options.controllerPort,
    'stack.controllerPort, env TIDEWATCH_CONTROLLER_PORT',
  );
  const registryPort = await choosePort(
    options.registryPort,
    'stack.registryPort, env TIDEWATCH_REGISTRY_PORT',
  );
  const log = logger.child({ component: 'stack' });
  log.info('resolving Kafka and the schema registry (cached after the first run)');
  const [libs, jar] = await Promise.all([
    resolveKafka(options.cacheDir, options.kafkaVersion),
    resolveRegistry(options.cacheDir, options.registryVersion),
  ]);
  const deadline = Date.now() + options.startTimeoutMs;

  const broker = startBroker(libs, dir, kafkaPort, controllerPort);
  const state: StackState = {
    kafka: { pid: broker.pid, port: kafkaPort, controllerPort },
    registry: { pid: 0, port: registryPort },
    startedAt: new Date().toISOString(),
  };
  fs.writeFileSync(stateFile(dataDir), JSON.stringify(state, null, 2));
  try {
    await waitHealthy({
      name: 'Kafka',
      pid: broker.pid,
      marker: dir,
      logFile: broker.paths.logFile,
      deadline,
      probe: () => kafkaHealthy(`127.0.0.1:${kafkaPort}`),
    });
    log.info({ port: kafkaPort }, 'Kafka is up');
    const registry = startRegistry(jar, dir, registryPort, kafkaPort);
    state.registry.pid = registry.pid;
    fs.writeFileSync(stateFile(dataDir), JSON.stringify(state, null, 2));
    const endpoints = endpointsOf(state);
    await waitHealthy({
      name: 'Schema registry',
      pid: registry.pid,
      marker: dir,
      logFile: registry.logFile,
      deadline,
      probe: () => registryHealthy(endpoints.registryUrl),
    });
    log.info({ port: registryPort }, 'schema registry is up');
    return { endpoints, started: true };
  } catch (err) {
    await stackDown(dataDir, logger);
    throw err;
  }
}

/** Stops this data directory's stack (registry first, then Kafka); safe to call twice. */
export async function stackDown(dataDir: string, logger: Logger): Promise<void> {
  const state = readState(dataDir);
  if (!state) return;
  const marker = stackDirOf(dataDir);
  if (state.registry.pid) await stopProcess(state.registry.pid, marker);
  await stopProcess(state.kafka.pid, marker, 30_000);
  fs.rmSync(stateFile(dataDir), { force: true });
  logger.info({ component: 'stack' }, 'local stack stopped');
}
