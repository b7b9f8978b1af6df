import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import type { StoredState } from '../stages';
import {
  loadDetectorStates,
  saveEncodedStates,
  type ClickHouseClient,
  type EncodedStates,
} from '../../sinks/clickhouse';

/** What the baselines need of a detector store, in this thread or another (`Detection`). */
export interface BaselineStore {
  readonly maxSeries: number;
  /**
   * Up to `limit` changed states, no longer marked changed, encoded for their insert
   * (`encodeDetectorStates`, stamped `now`) where the store is; the store keeps them until
   * `settle`, so a failed save can give them back without their crossing threads again.
   */
  takeDirty(limit: number, now: number): EncodedStates | Promise<EncodedStates>;
  /** The states the last `takeDirty` gave were saved, or (`saved` false) are changed again. */
  settle(saved: boolean): void | Promise<void>;
  restore(rows: readonly StoredState[]): number | Promise<number>;
}

export interface DetectorBaselinesParts {
  clickhouse: ClickHouseClient;
  database: string;
  snapshotMs: number;
  metrics: PipelineMetrics;
  logger: Logger;
  store: BaselineStore;
  clock: Clock;
  /** Baselines per insert (default `SAVE_ROWS`). */
  saveRows?: number;
}

/**
 * Baselines are taken and inserted this many at a time (a few KB each encoded), one insert after
 * another: a snapshot taken whole holds every series' encoded state at once, in the detection
 * thread, again in this one and again in the insert's body, which grows with the fleet.
 */
export const SAVE_ROWS = 5_000;

/**
 * Detector baselines kept in ClickHouse: loaded at start, before the first batch, and again
 * after every later rebalance (so a series that moves here keeps its baseline); saved every
 * `stateSnapshotMs`, and once more on close.
 */
export function detectorBaselines(parts: DetectorBaselinesParts) {
  const store = parts.store;
  const log = parts.logger.child({ component: 'processor', part: 'detector-baselines' });
  let timer: NodeJS.Timeout | undefined;
  const saveRows = parts.saveRows ?? SAVE_ROWS;
  let saving: Promise<void> | undefined;
  /** Saves every changed baseline, `saveRows` at a time; stops at the first failure. */
  const saveAll = async () => {
    for (;;) {
      let taken: EncodedStates;
      try {
        taken = await store.takeDirty(saveRows, parts.clock());
      } catch (err) {
        log.warn({ err }, 'taking detector baselines to save failed; will retry at the next snapshot');
        return;
      }
      try {
        await saveEncodedStates(parts.clickhouse, parts.database, taken);
        await store.settle(true);
      } catch (err) {
        log.warn(
          { err, series: taken.count },
          'saving detector baselines failed; will retry at the next snapshot',
        );
        try {
          await store.settle(false);
        } catch {
          // the store is closed: nothing is left to keep them in
        }
        return;
      }
      parts.metrics.detectorStatesSaved.inc(taken.count);
      if (taken.count < saveRows) return;
    }
  };
  /** One snapshot at a time: a tick that finds one under way leaves it to finish. */
  const save = () => (saving ??= saveAll().finally(() => (saving = undefined)));
  return {
    async load(): Promise<number> {
      try {
        let taken = 0;
        await loadDetectorStates(parts.clickhouse, parts.database, store.maxSeries, async (rows) => {
          taken += await store.restore(rows);
        });
        log.info({ series: taken }, 'detector baselines restored');
        return taken;
      } catch (err) {
        log.warn({ err }, 'loading detector baselines failed; series start cold');
        return 0;
      }
    },
    /** Restores the saved baselines, then saves changed ones every `snapshotMs`. */
    async start(): Promise<void> {
      await this.load();
      timer ??= setInterval(() => void save(), parts.snapshotMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await saving;
      await save();
    },
  };
}
