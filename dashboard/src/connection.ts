import type { Incident } from './incident-list';
import type { Sample } from './live-store';

export type ServerMessage =
  | { type: 'snapshot' | 'samples'; samples: Sample[] }
  | { type: 'anomalies'; anomalies: Incident[] }
  | { type: 'error'; reason: string }
  | { type: 'subscribed' };

export interface ConnectionEvents {
  message(msg: ServerMessage): void;
  status(state: 'live' | 'connecting' | 'offline', text: string, detail?: string): void;
}

/**
 * The live WebSocket: connects with the session cookie, and on any close reconnects with
 * exponential backoff and full jitter (at most 30 s), then gets a fresh snapshot. `retryNow`
 * skips the wait (the banner's retry button).
 */
export function connect(events: ConnectionEvents): { retryNow(): void } {
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ws: WebSocket | undefined;
  const open = () => {
    timer = undefined;
    events.status('connecting', attempt ? `reconnecting (try ${attempt})…` : 'connecting…');
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws.onopen = () => {
      attempt = 0;
      events.status('live', 'live');
    };
    ws.onmessage = (event) => events.message(JSON.parse(String(event.data)) as ServerMessage);
    ws.onclose = (event) => {
      const delay = Math.random() * Math.min(30_000, 500 * 2 ** attempt++);
      events.status(
        'offline',
        'offline',
        event.code === 1001 ? 'The server is restarting; reconnecting…' : 'Connection lost; reconnecting…',
      );
      timer = setTimeout(open, delay);
    };
  };
  open();
  return {
    retryNow() {
      if (timer === undefined) return;
      clearTimeout(timer);
      open();
    },
  };
}
