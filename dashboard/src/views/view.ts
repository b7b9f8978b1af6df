import type { Range } from '../history';
import type { LiveStore } from '../live-store';
import type { Route, ViewName } from '../router';

/**
 * One page of the dashboard. Only the shown view does work: `show` builds what it draws (charts,
 * fetches), `hide` destroys it, and `tick` is its share of the page's one timer.
 */
export interface View {
  readonly name: ViewName;
  show(route: Route): void;
  hide(): void;
  tick(ticks: number): void;
  /** New incidents arrived (views that list or mark them redraw). */
  incidents?(): void;
  /** The header's time range changed. */
  rangeChanged?(): void;
}

export interface ViewContext {
  store: LiveStore;
  navigate(route: Route): void;
  range(): Range;
  /** Shows (or, with undefined, clears) an error for `source`, with a retry button when given. */
  problem(source: string, text: string | undefined, retry?: () => void): void;
}
