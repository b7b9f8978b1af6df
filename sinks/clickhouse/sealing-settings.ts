import { z } from 'zod';

/**
 * The hour sealer's settings (`clickhouse.sealing`, `hour-sealer.ts` and `seal-hours.ts`). Their
 * defaults are here and nowhere else.
 */
export const sealingSettings = z
  .object({
    intervalMs: z
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe(
        'How often closed hours of metrics_1h get their p50/p95/p99 from the stored samples; 0: this process seals none (another does)',
      ),
    graceMs: z
      .number()
      .int()
      .min(0)
      .max(86_400_000)
      .default(300_000)
      .describe(
        "How long an hour must have ended, and a host's samples of it stopped coming, before it is sealed (later samples seal it again)",
      ),
    rowsPerQuery: z
      .number()
      .int()
      .min(1000)
      .max(100_000_000)
      .default(200_000)
      .describe(
        'Stored samples one sealing query reads, about (one metric of one host is never cut); on the embedded engine it holds other queries while it runs',
      ),
    hostHoursPerPass: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(20_000)
      .describe('Host-hours one sealing pass takes at most, oldest first'),
  })
  .strict();

export type SealingSettings = z.output<typeof sealingSettings>;

export const DEFAULT_SEALING: SealingSettings = sealingSettings.parse({});
