import { firstValueFrom, of } from 'rxjs';
import { batchOf, sample } from './__fixtures__/batches';
import { detectAnomalies } from './detect-anomalies';
import { DetectorStore } from './detector-store';

const MINUTE = 60_000;

describe('anomaly scoring of cumulative counters', () => {
  it('leaves a running total to its rate series: no detector state, no incident at a reboot', async () => {
    // A disk's bytes since boot: steady growth, then a reboot takes it back to almost zero.
    const total = Array.from({ length: 200 }, (_, i) =>
      sample({ event_id: `h:1:${i}`, ts: i * MINUTE, metric: 'system.disk.io', unit: 'By', value: i * 1e6 }),
    );
    const reboot = sample({
      event_id: 'h:2:0',
      ts: 200 * MINUTE,
      metric: 'system.disk.io',
      unit: 'By',
      value: 10,
    });
    const rate = sample({
      event_id: 'h:1:999',
      ts: 0,
      metric: 'tidewatch.system.disk.io_rate',
      unit: 'By/s',
      value: 1,
    });
    const store = new DetectorStore(100);
    const out = await firstValueFrom(of(batchOf([...total, reboot, rate])).pipe(detectAnomalies(store)));
    expect(out.payload.anomalies).toEqual([]);
    expect([...store.entries.values()].map((e) => e.ref.metric)).toEqual(['tidewatch.system.disk.io_rate']);
  });
});
