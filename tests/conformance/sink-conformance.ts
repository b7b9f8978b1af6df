import type { Sink } from '../../core/stream';

export interface SinkUnderTest<T> {
  sink: Sink<T>;
  /** How many of the written records the sink's storage holds now (as its readers see it). */
  stored(): Promise<number>;
  cleanup(): Promise<void>;
}

export interface SinkConformanceOptions<T> {
  create(): Promise<SinkUnderTest<T>>;
  /** `n` distinct records, the `round`-th set. */
  records(n: number, round: number): T[];
  /** Re-writing a batch leaves storage unchanged (true for ClickHouse; a topic is at-least-once). */
  idempotent: boolean;
}

/** The suite every Sink passes: batch write, re-delivery of a batch, empty batch, close twice. */
export function describeSinkConformance<T>(name: string, options: SinkConformanceOptions<T>): void {
  describe(`Sink conformance: ${name}`, () => {
    let s: SinkUnderTest<T>;
    beforeAll(async () => {
      s = await options.create();
    });
    afterAll(async () => s?.cleanup());

    it('resolves write only when the whole batch is stored', async () => {
      await s.sink.write(options.records(250, 0));
      expect(await s.stored()).toBe(250);
    });

    it(
      options.idempotent
        ? 'stores a re-delivered batch once'
        : 'stores a re-delivered batch again (at-least-once)',
      async () => {
        await s.sink.write(options.records(250, 0));
        expect(await s.stored()).toBe(options.idempotent ? 250 : 500);
      },
    );

    it('accepts an empty batch', async () => {
      const before = await s.stored();
      await s.sink.write([]);
      expect(await s.stored()).toBe(before);
    });

    it('closes twice safely', async () => {
      await s.sink.close();
      await expect(s.sink.close()).resolves.toBeUndefined();
    });
  });
}
