/**
 * The detection thread (a worker thread started by `DetectionWorker`): it holds the detector
 * store and runs the anomaly stage's scoring (`anomalyScoring`, what `detectAnomalies` runs)
 * over the samples the processor sends, so scoring runs beside the processor's main thread
 * instead of on it. Time comes with each batch (the processor's clock), so incidents come out
 * as they would on the processor's own thread.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Assignment } from '../../core/stream';
import type { Anomaly } from '../../schemas';
import { encodeDetectorStates } from '../../sinks/clickhouse/detector-state';
import {
  anomalyScoring,
  DEFAULT_DETECT,
  DetectorStore,
  type ScoredSample,
  type StoredState,
} from '../stages';
import type { DetectionReply, DetectionRequest, DetectionSetup, SeriesDef } from './detection-protocol';

/**
 * How much lower this thread runs than the processor's main thread (Linux nice levels). Each
 * batch wakes it; at the same priority the wake-up often took the core from the main thread,
 * which then waited while scoring ran. It gets the spare core time instead.
 */
const NICENESS = 10;

/** Lowers this thread's priority where threads have their own (Linux); elsewhere nothing. */
function lowerPriority(): void {
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + NICENESS));
  } catch {
    // no per-thread priorities here: the thread runs at the process's
  }
}

function serve(port: NonNullable<typeof parentPort>, setup: DetectionSetup): void {
  const store = new DetectorStore(setup.maxSeries, setup.ensemble, setup.rules);
  /** The states the last `takeDirty` handed out, until their save is settled. */
  let taken: StoredState[] = [];
  let disowned = new Set<string>();
  let version = 0;
  const assignment: Assignment = {
    get version() {
      return version;
    },
    owns: (topic, partition) => !disowned.has(`${topic}:${partition}`),
  };
  const scoring = anomalyScoring(store, { ...DEFAULT_DETECT, ...setup.detect, assignment });
  let series: (SeriesDef | undefined)[] = [];
  /** Every sample is read through this one object (scoring keeps nothing of it). */
  const sample: ScoredSample = { host: '', metric: '', unit: '', attributes: {}, ts: 0, value: 0 };

  const score = (request: Extract<DetectionRequest, { kind: 'batch' }>): DetectionReply => {
    const started = performance.now();
    if (request.reset) series = [];
    for (const def of request.defs) series[def.sid] = def;
    if (request.disowned) {
      disowned = new Set(request.disowned);
      version++;
    }
    const { now, samples } = request;
    const anomalies: Anomaly[] = [];
    const evictedBefore = store.evicted;
    scoring.begin(anomalies);
    for (let j = 0; j < samples.length; j += 3) {
      const d = series[samples[j]!]!;
      sample.host = d.host;
      sample.metric = d.metric;
      sample.unit = d.unit;
      sample.attributes = d.attributes;
      sample.ts = samples[j + 1]!;
      sample.value = samples[j + 2]!;
      scoring.sample(d.key, sample, d, now, anomalies);
    }
    scoring.end(now, anomalies);
    return {
      id: request.id,
      anomalies,
      evicted: store.evicted - evictedBefore,
      seconds: (performance.now() - started) / 1000,
    };
  };

  const answer = (request: DetectionRequest): DetectionReply => {
    switch (request.kind) {
      case 'batch':
        return score(request);
      case 'takeDirty':
        // States taken before and never settled (their save's answer lost): changed again.
        store.unsaved(taken);
        taken = store.takeDirty(request.limit);
        return { id: request.id, states: encodeDetectorStates(taken, request.now) };
      case 'settle':
        if (!request.saved) store.unsaved(taken);
        taken = [];
        return { id: request.id };
      case 'restore':
        return { id: request.id, taken: store.restore(request.rows) };
    }
  };

  port.on('message', (request: DetectionRequest) => {
    let reply: DetectionReply;
    try {
      reply = answer(request);
    } catch (err) {
      reply = { id: request.id, error: String((err as Error)?.stack ?? err) };
    }
    // Encoded states are handed over, not copied: their buffer is the thread's own (`allocUnsafeSlow`).
    port.postMessage(reply, reply.states ? [reply.states.bytes.buffer as ArrayBuffer] : []);
  });
}

if (parentPort) {
  lowerPriority();
  serve(parentPort, workerData as DetectionSetup);
}
