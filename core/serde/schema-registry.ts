import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { DecodeError, TidewatchError, errorMessage } from '../errors';

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
  return new TidewatchError(
    'TW_ERR_REGISTRY_UNAVAILABLE',
    `schema registry at ${url}: ${errorMessage(err)}`,
    {
      retriable: true,
      cause: err,
    },
  );
}

/** The registry's address without credentials (for messages), and the Basic header they make. */
function endpoint(url: string): { base: string; shown: string; headers: Record<string, string> } {
  const parsed = new URL(url);
  const headers: Record<string, string> = { accept: 'application/vnd.schemaregistry.v1+json' };
  if (parsed.username || parsed.password) {
    const user = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
  }
  const base = parsed.toString().replace(/\/$/, '');
  return { base, shown: base, headers };
}

/**
 * A Confluent-compatible registry reached through @kafkajs/confluent-schema-registry, plus the
 * two calls it lacks (per-subject compatibility, the subjects of an id) over the same REST API.
 */
export function confluentRegistry(url: string): RegistryClient {
  const client = new SchemaRegistry({ host: url, retry: { retries: 1 } });
  const { base, shown, headers } = endpoint(url);
  const call = async (method: 'GET' | 'PUT', path: string, body?: object): Promise<Response> => {
    try {
      return await fetch(`${base}${path}`, {
        method,
        headers: body ? { ...headers, 'content-type': headers.accept! } : headers,
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw unavailable(shown, err);
    }
  };
  const failed = async (res: Response, what: string) =>
    unavailable(shown, new Error(`${what}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`));
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
