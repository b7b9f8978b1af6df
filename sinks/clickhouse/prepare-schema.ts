import type { ClickHouseClient } from '@clickhouse/client';
import { checkSchema, ddlFor, migrate, type MigrationLockOptions } from './migrations';
import { applyRetention, type Retention } from './retention';

export interface SchemaSettings {
  database: string;
  cluster?: string | undefined;
  manageSchema: boolean;
  retention: Retention;
}

/**
 * The schema at start-up: migrated (under the migration lock, ON CLUSTER on a cluster) and its
 * TTLs set to the configured retention; or, when a DBA manages it (`manageSchema: false`), no DDL
 * at all, only the check that every table Tidewatch needs is there.
 */
export async function prepareSchema(
  client: ClickHouseClient,
  s: SchemaSettings,
  lock?: MigrationLockOptions,
): Promise<void> {
  if (!s.manageSchema) return checkSchema(client, s.database);
  const ddl = ddlFor(s.cluster);
  await migrate(client, s.database, undefined, { ddl, lock });
  await applyRetention(client, s.database, s.retention, ddl);
}
