import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import { retry } from '../../core/retry';
import type { RegistryClient } from '../../core/serde';
import { loadSchema } from '../../schemas';

export interface AgentSchemaIds {
  metrics: number;
  processes: number;
}

const fingerprint = (topic: string, schema: object) =>
  crypto.createHash('sha256').update(topic).update(JSON.stringify(schema)).digest('hex');

/**
 * The registry ids of the agent's two schemas. They are registered (an idempotent call) and kept
 * in `cacheFile`, so an agent that restarts while the registry is down goes on with the ids it
 * had, provided its schemas did not change; with no usable cache it retries until the registry
 * answers or `signal` aborts.
 */
export async function agentSchemaIds(
  registry: RegistryClient,
  topics: { metrics: string; processes: string },
  cacheFile: string,
  logger: Logger,
  signal?: AbortSignal,
): Promise<AgentSchemaIds> {
  const wanted = {
    metrics: fingerprint(topics.metrics, loadSchema('metric-sample')),
    processes: fingerprint(topics.processes, loadSchema('process-event')),
  };
  const register = async (): Promise<AgentSchemaIds> => ({
    metrics: await registry.register(`${topics.metrics}-value`, loadSchema('metric-sample')),
    processes: await registry.register(`${topics.processes}-value`, loadSchema('process-event')),
  });
  try {
    const ids = await register();
    fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
    fs.writeFileSync(cacheFile, JSON.stringify({ ids, fingerprints: wanted }));
    return ids;
  } catch (err) {
    const cached = readCache(cacheFile);
    if (
      cached &&
      cached.fingerprints.metrics === wanted.metrics &&
      cached.fingerprints.processes === wanted.processes
    ) {
      logger.warn(
        { err: errorMessage(err) },
        'schema registry unreachable; using the schema ids from the last start',
      );
      return cached.ids;
    }
    logger.warn({ err: errorMessage(err) }, 'schema registry unreachable; retrying before collection starts');
    return retry(register, {
      initialMs: 1000,
      maxMs: 30_000,
      attempts: Infinity,
      signal,
      onRetry: (e, attempt) =>
        logger.warn({ err: errorMessage(e), attempt }, 'schema registry still unreachable'),
    });
  }
}

function readCache(
  file: string,
): { ids: AgentSchemaIds; fingerprints: Record<keyof AgentSchemaIds, string> } | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}
