import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { DecodeError, TidewatchError, errorMessage } from '../errors';

/** The registry calls the serde needs; a unit test can hand in a fake. */
export interface RegistryClient {
  register(subject: string, schema: object): Promise<number>;
  /** The writer schema for an id; throws DecodeError TW_ERR_UNKNOWN_SCHEMA when the registry has none. */
  fetch(id: number): Promise<avro.Type>;
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

/** A Confluent-compatible registry reached through @kafkajs/confluent-schema-registry. */
export function confluentRegistry(url: string): RegistryClient {
  const client = new SchemaRegistry({ host: url, retry: { retries: 1 } });
  return {
    async register(subject, schema) {
      try {
        const { id } = await client.register(
          { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
          { subject },
        );
        return id;
      } catch (err) {
        throw unavailable(url, err);
      }
    },
    async fetch(id) {
      try {
        return (await client.getSchema(id)) as unknown as avro.Type;
      } catch (err) {
        if (httpStatus(err) === 404) {
          throw new DecodeError('TW_ERR_UNKNOWN_SCHEMA', `schema id ${id} is not in the registry`, err);
        }
        throw unavailable(url, err);
      }
    },
  };
}
