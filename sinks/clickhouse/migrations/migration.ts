import type { ClickHouseClient } from '@clickhouse/client';

/**
 * One step of the schema. Steps are ordered and append-only; each runs once per database and is
 * recorded in `schema_migrations`. `statements` must be idempotent so an interrupted run can be
 * repeated; a step that is not expressible that way (moving data between tables) uses `run`,
 * which checks where it stands before it acts.
 */
export interface Migration {
  version: number;
  name: string;
  statements: (db: string) => string[];
  run?: (client: ClickHouseClient, db: string) => Promise<void>;
}
