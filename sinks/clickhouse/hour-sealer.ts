import type { ClickHouseClient } from '@clickhouse/client';
import type { Clock } from '../../core/clock';
import type { Logger } from '../../core/logger';
import type { PipelineMetrics } from '../../core/metrics';
import { sealHours, type SealLimits, type SealPass } from './seal-hours';

export interface HourSealerParts {
  clickhouse: ClickHouseClient;
  database: string;
  /** Between passes; 0: this process seals nothing (another does). */
  intervalMs: number;
  limits: SealLimits;
  metrics: PipelineMetrics;
  logger: Logger;
  clock: Clock;
}

/**
 * Seals closed hours of `metrics_1h` every `intervalMs` (`seal-hours.ts`): one pass at a time, a
 * failed pass logged, counted and left to the next.
 */
export function hourSealer(parts: HourSealerParts) {
  const log = parts.logger.child({ component: 'processor', part: 'hour-sealer' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<SealPass | undefined> | undefined;
  const once = async (): Promise<SealPass | undefined> => {
    try {
      const pass = await sealHours(parts.clickhouse, parts.database, parts.limits, parts.clock());
      parts.metrics.hoursSealed.inc(pass.hostHours);
      if (pass.hostHours > 0) log.debug(pass, 'hours sealed');
      return pass;
    } catch (err) {
      parts.metrics.hourSealFailures.inc();
      log.warn({ err }, 'sealing hours failed; the next pass retries');
      return undefined;
    }
  };
  /** One pass now, or the one under way. */
  const pass = () => (running ??= once().finally(() => (running = undefined)));
  return {
    pass,
    start() {
      if (parts.intervalMs <= 0) return;
      timer ??= setInterval(() => void pass(), parts.intervalMs);
      timer.unref();
    },
    /** Stops the timer and waits for a pass under way. */
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}
