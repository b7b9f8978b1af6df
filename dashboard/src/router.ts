/** The dashboard's views, addressed by the URL's hash so that each can be linked and reloaded. */
export const VIEWS = ['overview', 'host', 'anomalies', 'pipeline', 'sql'] as const;
export type ViewName = (typeof VIEWS)[number];

export interface Route {
  view: ViewName;
  /** The host view's host. */
  host?: string;
  /** A moment to show (epoch ms), for links from an incident. */
  at?: number;
}

/** `#host/web-1?at=1700000000000` → { view: 'host', host: 'web-1', at: … }; anything unknown → overview. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const [view, ...rest] = path.split('/');
  if (!VIEWS.includes(view as ViewName)) return { view: 'overview' };
  const route: Route = { view: view as ViewName };
  if (view === 'host' && rest.length) {
    try {
      route.host = decodeURIComponent(rest.join('/'));
    } catch {
      return { view: 'overview' };
    }
  }
  const at = Number(new URLSearchParams(query).get('at'));
  if (Number.isFinite(at) && at > 0) route.at = at;
  return route;
}

export function routeHash(route: Route): string {
  const path = route.view === 'host' && route.host ? `host/${encodeURIComponent(route.host)}` : route.view;
  return `#${path}${route.at ? `?at=${route.at}` : ''}`;
}
