import { TestScheduler } from 'rxjs/testing';
import type { Assignment } from '../../core/stream';
import type { MetricAggregate, MetricSample } from '../../schemas';
import { batchOf, sample } from './__fixtures__/batches';
import { windowAggregate } from './window-aggregate';

const run = (fn: (helpers: Parameters<Parameters<TestScheduler['run']>[0]>[0]) => void) =>
  new TestScheduler((a, b) => expect(a).toEqual(b)).run(fn);

const at = (host: string, ts: number): MetricSample => sample({ host, ts, event_id: `${host}:${ts}` });
const options = { windowsMs: [10_000], allowedLatenessMs: 0, idleTimeoutMs: 5000 };
const windowsOf = (out: { payload: { aggregates: MetricAggregate[] } }[]) =>
  out.flatMap((e) => e.payload.aggregates.map((a) => `${a.host}@${a.window_start}:${a.count}`));

describe('windowAggregate hand-over: only complete windows are published', () => {
  it('commits no further than the start of a closed window whose samples reach past the open windows', () => {
    // Hosts a and b of one partition send in turn; a's window [0, 10 s) closes at its sample of
    // 10 s while b's is still open. Re-read from the floor, a's window must be met whole.
    const log = [at('a', 0), at('b', 0), at('a', 5000), at('b', 5000), at('a', 10_000)];
    const rest = [at('b', 10_000), at('a', 20_000), at('b', 20_000)];
    const first: { payload: { commitFloor?: string; aggregates: MetricAggregate[] } }[] = [];
    run(({ cold, flush }) => {
      cold('a|', { a: batchOf(log, 0, 0) })
        .pipe(windowAggregate(options))
        .subscribe((e) => first.push(e));
      flush();
    });
    expect(windowsOf(first)).toEqual(['a@0:2']);
    const floor = Number(first[0]!.payload.commitFloor);
    // The next owner reads from the committed floor on.
    const next: { payload: { aggregates: MetricAggregate[] } }[] = [];
    run(({ cold, flush }) => {
      const reread = [...log, ...rest].slice(floor);
      cold('a|', { a: batchOf(reread, 0, floor) })
        .pipe(windowAggregate(options))
        .subscribe((e) => next.push(e));
      flush();
    });
    expect({ floor, published: windowsOf(next).sort() }).toEqual({
      floor: 0,
      published: ['a@0:2', 'a@10000:1', 'b@0:2', 'b@10000:1'],
    });
  });

  it('closes nothing as idle while the member is not reading, and counts quiet afresh after the join', () => {
    let settled = true;
    let version = 1;
    const assignment: Assignment & { settled: boolean } = {
      get version() {
        return version;
      },
      get settled() {
        return settled;
      },
      owns: () => true,
    };
    const out: { payload: { aggregates: MetricAggregate[] } }[] = [];
    run(({ cold, flush }) => {
      cold('-a 6998ms b', { a: false, b: true }).subscribe((joined) => {
        settled = joined; // a rebalance from 1 ms to 8 s: nothing is fetched meanwhile
        if (joined) version++;
      });
      // Event time well behind processing time (a backlog): the idle rule would close the window.
      // The rest of the window was produced during the rebalance; it is read after the join.
      const a = batchOf([at('h', -9000)], 0, 0);
      const b = batchOf([at('h', -8000)], 0, 1);
      cold('a 10999ms b 19999ms |', { a, b })
        .pipe(windowAggregate({ ...options, assignment }))
        .subscribe((e) => out.push(e));
      flush();
    });
    expect(windowsOf(out)).toEqual(['h@-10000:2']);
  });

  it('finds a partition idle only at a second quiet check, so a batch held up by a stalled event loop is read first', () => {
    const out: { payload: { aggregates: MetricAggregate[] } }[] = [];
    run(({ cold, flush }) => {
      // Checks run every 2.5 s. The first to find the partition quiet for 5 s runs at 5 s, just
      // before the batch that waited for the stalled loop; only a second check may close.
      const a = batchOf([at('h', -9000)], 0, 0);
      const b = batchOf([at('h', -8000)], 0, 1);
      cold('a 5000ms b 19999ms |', { a, b })
        .pipe(windowAggregate(options))
        .subscribe((e) => out.push(e));
      flush();
    });
    expect(windowsOf(out)).toEqual(['h@-10000:2']);
  });

  it('finds a caught-up partition quiet only once a fetch begun after its last batch has come back', () => {
    const fetches = { started: 1, through: 1 }; // fetch 1 brought batch a
    const assignment = {
      version: 1,
      settled: true,
      owns: () => true,
      get fetchesStarted() {
        return fetches.started;
      },
      get fetchedThrough() {
        return fetches.through;
      },
    };
    const out: { payload: { aggregates: MetricAggregate[] } }[] = [];
    run(({ cold, flush }) => {
      // Fetch 2 is under way for 10 s (the group is about to rebalance; nothing is read), then
      // comes back with the rest of the window; fetch 3 finds nothing new.
      cold('1ms a 9998ms b 999ms c 2999ms d', { a: [2, 1], b: [2, 2], c: [3, 2], d: [3, 3] }).subscribe(
        ([started, through]) => Object.assign(fetches, { started, through }),
      );
      const a = batchOf([at('h', -9000)], 0, 0);
      const b = batchOf([at('h', -8000)], 0, 1);
      cold('a 9999ms b 19999ms |', { a, b })
        .pipe(windowAggregate({ ...options, assignment }))
        .subscribe((e) => out.push(e));
      flush();
    });
    expect(windowsOf(out)).toEqual(['h@-10000:2']);
  });
});
