import { Kafka, logLevel } from 'kafkajs';
import { StackError } from '../core/errors';
import { isOurProcess, logTail } from './java-process';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface WaitTarget {
  name: string;
  pid: number;
  marker: string;
  logFile: string;
  deadline: number;
  probe: () => Promise<boolean>;
}

/** Polls `probe` until it answers true; fails early, with the log's tail, if the process exits. */
export async function waitHealthy(target: WaitTarget): Promise<void> {
  while (Date.now() < target.deadline) {
    if (!isOurProcess(target.pid, target.marker)) {
      throw new StackError(
        'TW_ERR_STACK_START',
        `${target.name} exited during start-up. Last lines of ${target.logFile}:\n${logTail(target.logFile)}`,
      );
    }
    if (await target.probe().catch(() => false)) return;
    await sleep(250);
  }
  throw new StackError(
    'TW_ERR_STACK_START',
    `${target.name} was not healthy in time. Last lines of ${target.logFile}:\n${logTail(target.logFile)}`,
  );
}

/** The broker answers metadata requests. */
export async function kafkaHealthy(broker: string): Promise<boolean> {
  const admin = new Kafka({
    brokers: [broker],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The registry's Confluent-compatible API answers. */
export async function registryHealthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(2000) });
  return res.ok;
}
