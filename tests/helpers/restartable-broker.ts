import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../core/config';
import { kafkaHealthy, waitHealthy } from '../../stack/health';
import { stopProcess } from '../../stack/java-process';
import { startBroker } from '../../stack/kafka-broker';
import { resolveKafka } from '../../stack/maven';
import { freePort } from '../../stack/ports';

export interface RestartableBroker {
  brokers: string[];
  /** Stops the broker (SIGTERM, as an operator or a crash-restarting supervisor would). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** A Kafka broker of a test's own, which it can stop and start again (the shared test stack never stops). */
export async function restartableBroker(label: string): Promise<RestartableBroker> {
  const config = loadConfig({
    env: { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME, TIDEWATCH_CACHE_DIR: process.env.TIDEWATCH_CACHE_DIR },
  });
  const libs = await resolveKafka(config.cacheDir, config.stack.kafkaVersion);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tidewatch-${label}-broker-`));
  const [port, controllerPort] = [await freePort(), await freePort()];
  let pid = 0;
  const start = async () => {
    const broker = startBroker(libs, dir, port, controllerPort);
    pid = broker.pid;
    await waitHealthy({
      name: 'Kafka',
      pid,
      marker: dir,
      logFile: broker.paths.logFile,
      deadline: Date.now() + 120_000,
      probe: () => kafkaHealthy(`127.0.0.1:${port}`),
    });
  };
  await start();
  return {
    brokers: [`127.0.0.1:${port}`],
    stop: () => stopProcess(pid, dir, 30_000),
    start,
    async remove() {
      await stopProcess(pid, dir, 30_000);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
