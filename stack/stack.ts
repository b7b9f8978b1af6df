import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../core/logger';
import { StackError } from '../core/errors';
import { privateDir, writePrivateFile } from '../core/private-files';
import { isOurProcess, stopProcess } from './java-process';
import { identify, isRunning, type ProcessIdentity } from './process-identity';
import { watchOver } from './watchdog';
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
  /**
   * Tie the stack's life to this process (`tidewatch start`): a watchdog stops each JVM when this
   * process ends, however it ends, and a later start that finds its owner gone stops what is left
   * and starts afresh. Unset (`tidewatch stack up`, test stacks): it runs until `stackDown`.
   */
  ownedByThisProcess?: boolean;
}

export interface StackState {
  /** `watchdog`: the pid of the process that stops this JVM when the owner ends. */
  kafka: { pid: number; port: number; controllerPort: number; watchdog?: number };
  registry: { pid: number; port: number; watchdog?: number };
  startedAt: string;
  /** The process whose end stops this stack; absent for one started by `tidewatch stack up`. */
  owner?: ProcessIdentity;
}

/** Kafka is given longer to shut down cleanly than the registry. */
const KAFKA_GRACE_MS = 30_000;
const REGISTRY_GRACE_MS = 20_000;

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
  const owner = status.state?.owner;
  if (owner && !isRunning(owner)) {
    // Its instance died without stopping it (its watchdogs normally have, or are at it): never
    // reuse it (it may be going down); stop what is left and start afresh, owned by this process.
    logger.warn(
      { component: 'stack', owner: owner.pid },
      'local stack of an instance that is gone: stopping it',
    );
  } else if (status.kafka && status.registry && status.state) {
    logger.info({ component: 'stack' }, 'local stack already running; reusing it');
    return { endpoints: endpointsOf(status.state), started: false };
  }
  if (status.state) await stackDown(dataDir, logger);

  checkPrerequisites();
  privateDir(dir);
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

  const owned = options.ownedByThisProcess === true;
  const broker = startBroker(libs, dir, kafkaPort, controllerPort);
  const state: StackState = {
    kafka: { pid: broker.pid, port: kafkaPort, controllerPort },
    registry: { pid: 0, port: registryPort },
    startedAt: new Date().toISOString(),
  };
  if (owned) {
    state.owner = identify(process.pid);
    state.kafka.watchdog = watchOver(broker.pid, dir, KAFKA_GRACE_MS);
  }
  writePrivateFile(stateFile(dataDir), JSON.stringify(state, null, 2));
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
    if (owned) state.registry.watchdog = watchOver(registry.pid, dir, REGISTRY_GRACE_MS);
    writePrivateFile(stateFile(dataDir), JSON.stringify(state, null, 2));
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
  if (state.registry.pid) await stopProcess(state.registry.pid, marker, REGISTRY_GRACE_MS);
  await stopProcess(state.kafka.pid, marker, KAFKA_GRACE_MS);
  // Their JVMs are gone: the watchdogs (whose command lines name the stack folder) have no more to do.
  for (const watchdog of [state.registry.watchdog, state.kafka.watchdog]) {
    if (!watchdog || !isOurProcess(watchdog, marker)) continue;
    try {
      process.kill(watchdog, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  fs.rmSync(stateFile(dataDir), { force: true });
  logger.info({ component: 'stack' }, 'local stack stopped');
}
