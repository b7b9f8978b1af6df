import { defer, Observable, OperatorFunction, tap } from 'rxjs';
import type { Summary } from 'prom-client';

/**
 * Measures the time a batch spends inside a one-in, one-out stage (its added latency) and
 * observes it per stage. Emissions a stage makes on its own (a timer's) are not measured.
 */
export function timedStage<I, O>(
  name: string,
  stage: OperatorFunction<I, O>,
  seconds: Summary<'stage'>,
): OperatorFunction<I, O> {
  return (source: Observable<I>) =>
    defer(() => {
      let entered: number | undefined;
      return source.pipe(
        tap(() => (entered = performance.now())),
        stage,
        tap(() => {
          if (entered === undefined) return;
          seconds.observe({ stage: name }, (performance.now() - entered) / 1000);
          entered = undefined;
        }),
      );
    });
}
