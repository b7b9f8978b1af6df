import https from 'node:https';
import { readTlsFiles, type TlsFiles } from '../tls-files';
import { registryRequest } from './registry-http';

/** How to reach the registry: its URL and, for your own, basic auth and TLS (`registry.*`). */
export interface RegistryConnection {
  url: string;
  username?: string;
  password?: string;
  tls?: TlsFiles;
}

/** The registry's address without credentials (for messages), and the Basic header they make. */
export function endpoint(target: RegistryConnection): {
  base: string;
  shown: string;
  headers: Record<string, string>;
  auth?: { username: string; password: string };
} {
  const parsed = new URL(target.url);
  const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json' };
  let auth =
    target.username !== undefined
      ? { username: target.username, password: target.password ?? '' }
      : undefined;
  if (!auth && (parsed.username || parsed.password))
    auth = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  if (auth)
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  const base = parsed.toString().replace(/\/$/, '');
  return { base, shown: base, headers, auth };
}

/** An https agent trusting `registry.tls.ca` (and presenting its client certificate), if set. */
export function tlsAgent(target: RegistryConnection): https.Agent | undefined {
  const tls = readTlsFiles(target.tls, 'registry.tls');
  if (!tls || !target.url.startsWith('https:')) return undefined;
  return new https.Agent({
    keepAlive: true,
    rejectUnauthorized: true,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
  });
}

/**
 * The gateway's /ready check for the registry: `GET /subjects` with the same credentials and CA
 * as the serde's client (a URL with user info cannot go to fetch as it is).
 */
export function registryReady(connection: string | RegistryConnection): () => Promise<void> {
  const target = typeof connection === 'string' ? { url: connection } : connection;
  const { base, headers } = endpoint(target);
  const agent = tlsAgent(target);
  return async () => {
    const answer = await registryRequest(`${base}/subjects`, {
      method: 'GET',
      headers,
      agent,
      timeoutMs: 5000,
    });
    if (!answer.ok) throw new Error(`the registry answered HTTP ${answer.status}`);
  };
}
