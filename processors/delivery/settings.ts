import { z } from 'zod';

/**
 * The delivery's settings, as fields of the `processor` config section (`core/config/schema.ts`
 * spreads them in; `TIDEWATCH_*` variables and keys as before): how coalescing joins parcels into
 * one write. Their defaults are here and nowhere else (`DEFAULT_COALESCE` is read from them).
 */
export const deliverySettings = {
  insertMaxRows: z.number().int().min(1).default(80_000).describe('Records joined into one write'),
  insertMaxBytes: z
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024)
    .describe('Encoded bytes of the records joined into one write'),
  insertMaxWaitMs: z.number().int().min(1).default(500),
};

export type DeliverySettings = z.output<z.ZodObject<typeof deliverySettings>>;

/** The settings as `coalesce` takes them. */
export const coalesceOptions = (s: DeliverySettings) => ({
  maxRecords: s.insertMaxRows,
  maxBytes: s.insertMaxBytes,
  maxWaitMs: s.insertMaxWaitMs,
});

export const DEFAULT_DELIVERY: DeliverySettings = z.object(deliverySettings).parse({});
