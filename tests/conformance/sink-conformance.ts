import type { Sink } from '../../core/stream';

export interface SinkUnderTest<T> {
  sink: Sink<T>;
  /** How many of the written records the sink's storage holds now (as its readers see it). */
  stored(): Promise<number>;
  /**
   * The same sink made anew over the same storage, as a restarted processor (or a partition's
   * new owner) makes it: it re-reads from the committed offset and cuts what it re-reads into
   * other batches. Given, a re-read batch must be stored once.
   */
  restart?(): Sink<T>;
  cleanup(): Promise<void>;
}

export interface SinkConformanceOptions<T> {
  create(): Promise<SinkUnderTest<T>>;
  /** `n` distinct records, the `round`-th set. */
  records(n: number, round: number): T[];
  /** Re-writing a batch leaves storage unchanged (true for ClickHouse; a topic is at-least-once). */
  idempotent: boolean;
  /** The sink under test can be made anew over its storage (`SinkUnderTest.restart`). */
  restartable?: boolean;
}

/**
 * The suite every Sink passes: batch write, re-delivery of a batch (and, for a sink that can be
 * restarted over its storage, of a batch re-read and cut otherwise), empty batch, close twice.
 */
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

    if (options.idempotent && options.restartable) {
      it('stores a batch re-read after a restart, cut otherwise, once', async () => {
        if (!s.restart) throw new Error(`${name} is restartable but has no restart()`);
        const again = s.restart();
        const batch = options.records(250, 0);
        await again.write(batch.slice(100));
        await again.write(batch.slice(0, 120));
        expect(await s.stored()).toBe(250);
        await again.close();
      });
    }

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
