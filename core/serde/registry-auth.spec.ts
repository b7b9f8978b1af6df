import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TidewatchError } from '../errors';
import { registryReady } from './registry-endpoint';
import { confluentRegistry } from './schema-registry';

const SCHEMA = { type: 'record', name: 'R', fields: [{ name: 'a', type: 'string' }] };

describe('registry basic authentication', () => {
  let server: http.Server;
  let url: string;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    // The registry's REST surface register() uses, behind basic auth (user "reader", password "s3cret pw").
    server = http.createServer((req, res) => {
      seen.push(req.headers.authorization);
      const ok = req.headers.authorization === `Basic ${Buffer.from('reader:s3cret pw').toString('base64')}`;
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
        if (!ok) {
          res.statusCode = 401;
          res.end(JSON.stringify({ error_code: 401, message: 'Unauthorized' }));
        } else if (req.url?.startsWith('/config')) {
          res.end(JSON.stringify({ compatibility: 'BACKWARD', compatibilityLevel: 'BACKWARD' }));
        } else res.end(JSON.stringify({ id: 42 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends the configured credentials on every call, the library’s and its own', async () => {
    seen.length = 0;
    const registry = confluentRegistry({ url, username: 'reader', password: 's3cret pw' });
    await expect(registry.register('t-value', SCHEMA)).resolves.toBe(42);
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen)).toEqual(new Set([`Basic ${Buffer.from('reader:s3cret pw').toString('base64')}`]));
  });

  it('still takes credentials in the URL', async () => {
    const registry = confluentRegistry(url.replace('http://', 'http://reader:s3cret%20pw@'));
    await expect(registry.register('t-value', SCHEMA)).resolves.toBe(42);
  });

  it('refused credentials are TW_ERR_REGISTRY_AUTH_FAILED, not retried, without the password', async () => {
    const registry = confluentRegistry({ url, username: 'reader', password: 'wrong-pw-999' });
    const failure = registry.register('t-value', SCHEMA);
    await expect(failure).rejects.toBeInstanceOf(TidewatchError);
    const err = (await failure.catch((e: unknown) => e)) as TidewatchError;
    expect(err.code).toBe('TW_ERR_REGISTRY_AUTH_FAILED');
    expect(err.retriable).toBe(false);
    expect(err.message).not.toContain('wrong-pw-999');
  });

  it('the gateway’s readiness check logs in the same way', async () => {
    await expect(
      registryReady({ url, username: 'reader', password: 's3cret pw' })(),
    ).resolves.toBeUndefined();
    await expect(
      registryReady(url.replace('http://', 'http://reader:s3cret%20pw@'))(),
    ).resolves.toBeUndefined();
    await expect(registryReady({ url, username: 'reader', password: 'nope' })()).rejects.toThrow(
      'the registry answered HTTP 401',
    );
  });
});
