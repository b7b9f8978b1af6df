export { createAvroSerde } from './avro-serde';
export type { AvroSerde, AvroSerdeOptions } from './avro-serde';
export { confluentRegistry } from './schema-registry';
export type { RegistryClient } from './schema-registry';
export { registryReady } from './registry-endpoint';
export type { RegistryConnection } from './registry-endpoint';
export { frame, schemaIdOf, MAGIC_BYTE, HEADER_BYTES } from './wire-format';
