import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { DecodeError, TidewatchError, errorMessage } from '../errors';
import { untrustedCertificateCode } from '../tls-files';
import { endpoint, tlsAgent, type RegistryConnection } from './registry-endpoint';
import { registryRequest, type RegistryAnswer } from './registry-http';

/** The registry calls the serde needs; a unit test can hand in a fake. */
export interface RegistryClient {
  /** Registers `schema` under `subject`, whose compatibility is set to BACKWARD first. */
  register(subject: string, schema: object): Promise<number>;
  /** The writer schema for an id; throws DecodeError TW_ERR_UNKNOWN_SCHEMA when the registry has none. */
  fetch(id: number): Promise<avro.Type>;
  /** The subjects that hold the schema of `id` in one of their versions ([] when the id is unknown). */
  subjectsOf(id: number): Promise<string[]>;
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function unavailable(url: string, err: unknown): TidewatchError {
  const status = httpStatus(err);
  if (status === 401 || status === 403) {
    return new TidewatchError(
      'TW_ERR_REGISTRY_AUTH_FAILED',
      `schema registry at ${url} refused the credentials (HTTP ${status}); check registry.username and registry.password`,
      { cause: err },
    );
  }
  const certificate = untrustedCertificateCode(err);
  if (certificate) {
    return new TidewatchError(
      'TW_ERR_TLS_UNTRUSTED',
      `schema registry at ${url}: its certificate is not trusted (${certificate}); set registry.tls.ca (SCHEMA_REGISTRY_TLS_CA) to the CA that signed it`,
      { cause: err },
    );
  }
  return new TidewatchError(
    'TW_ERR_REGISTRY_UNAVAILABLE',
    `schema registry at ${url}: ${errorMessage(err)}`,
    {
      retriable: true,
      cause: err,
    },
  );
}

/**
 * A Confluent-compatible registry reached through @kafkajs/confluent-schema-registry, plus the
 * two calls it lacks (per-subject compatibility, the subjects of an id) over the same REST API.
 * Credentials come from `registry.username`/`password` or the URL's user info; both the library
 * and the extra calls go through one agent carrying `registry.tls`.
 */
export function confluentRegistry(connection: string | RegistryConnection): RegistryClient {
  const target = typeof connection === 'string' ? { url: connection } : connection;
  const { base, shown, headers, auth } = endpoint(target);
  const agent = tlsAgent(target);
  const client = new SchemaRegistry({ host: base, auth, agent, retry: { retries: 1 } });
  const call = async (method: 'GET' | 'PUT', path: string, body?: object): Promise<RegistryAnswer> => {
    try {
      return await registryRequest(`${base}${path}`, {
        method,
        headers: body ? { ...headers, 'content-type': headers.accept! } : headers,
        body: body ? JSON.stringify(body) : undefined,
        agent,
        timeoutMs: 10_000,
      });
    } catch (err) {
      throw unavailable(shown, err);
    }
  };
  const failed = async (res: RegistryAnswer, what: string) =>
    unavailable(
      shown,
      Object.assign(new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`), {
        status: res.status,
      }),
    );
  return {
    async register(subject, schema) {
      // Explicitly BACKWARD: a registry whose global level is NONE would take any new version.
      const res = await call('PUT', `/config/${encodeURIComponent(subject)}`, { compatibility: 'BACKWARD' });
      if (!res.ok) throw await failed(res, `setting ${subject} to BACKWARD compatibility`);
      try {
        const { id } = await client.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
          { subject },
        );
        return id;
      } catch (err) {
        if (httpStatus(err) === 409) {
          throw new TidewatchError(
            'TW_ERR_SCHEMA_INCOMPATIBLE',
            `the registry refused a new version of ${subject}: ${errorMessage(err)}`,
            { cause: err },
          );
        }
        throw unavailable(shown, err);
      }
    },
    async fetch(id) {
      try {
        return (await client.getSchema(id)) as unknown as avro.Type;
      } catch (err) {
        if (httpStatus(err) === 404) {
          throw new DecodeError('TW_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`, err);
        }
        throw unavailable(shown, err);
      }
    },
    async subjectsOf(id) {
      const res = await call('GET', `/schemas/ids/${id}/versions`);
      if (res.status === 404) return [];
      if (!res.ok) throw await failed(res, `looking up the subjects of schema id ${id}`);
      const versions = (await res.json()) as unknown;
      if (!Array.isArray(versions))
        throw unavailable(shown, new Error(`the subjects of schema id ${id} are not a list`));
      return versions
        .map((v) => (v as { subject?: unknown } | null)?.subject)
        .filter((s): s is string => typeof s === 'string');
    },
  };
}
