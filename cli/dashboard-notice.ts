import { tokenFile } from '../sinks/gateway/token';

export interface DashboardNotice {
  /** The gateway's base URL, e.g. http://127.0.0.1:7878 */
  url: string;
  token: string;
  dataDir: string;
  /** The token came from settings (gateway.token), not from the data directory's token file. */
  configuredToken: boolean;
  /** Whether stdout is a terminal: only then may the token be printed. */
  terminal: boolean;
  /** What the URL is for; default `Dashboard`. */
  label?: string;
}

/**
 * What `tidewatch start` prints about the dashboard. On a terminal: the URL with the token, like
 * Jupyter, to click. Anywhere else (journald, Docker, Kubernetes, a file) stdout is kept, so the
 * URL goes without the token, with where to find the token instead.
 */
export function dashboardNotice(n: DashboardNotice): string {
  const label = n.label ?? 'Dashboard';
  if (n.terminal) return `${label}: ${n.url}/?token=${n.token}\n`;
  const where = n.configuredToken
    ? 'the token is the one configured (gateway.token, env TIDEWATCH_TOKEN)'
    : `the token is in ${tokenFile(n.dataDir)} (readable by this user only: cat ${tokenFile(n.dataDir)})`;
  return `${label}: ${n.url}/\nOpen ${n.url}/?token=<token>; ${where}.\n`;
}
