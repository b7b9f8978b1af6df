import http from 'node:http';
import https from 'node:https';

export interface RegistryAnswer {
  status: number;
  ok: boolean;
  text(): Promise<string>;
  json(): Promise<unknown>;
}

/**
 * One HTTP(S) request to the registry through `agent` (which carries the CA and client
 * certificate of `registry.tls`), answered whole. The answer is capped at `maxBytes`.
 */
export function registryRequest(
  url: string,
  init: {
    method: string;
    headers: Record<string, string>;
    body?: string;
    agent?: http.Agent;
    timeoutMs: number;
  },
  maxBytes = 8 * 1024 * 1024,
): Promise<RegistryAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: init.method, headers: init.headers, agent: init.agent, timeout: init.timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) req.destroy(new Error(`answer larger than ${maxBytes} bytes`));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const status = res.statusCode ?? 0;
          resolve({
            status,
            ok: status >= 200 && status < 300,
            text: () => Promise.resolve(body),
            json: () => Promise.resolve(JSON.parse(body) as unknown),
          });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${init.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(init.body);
  });
}
