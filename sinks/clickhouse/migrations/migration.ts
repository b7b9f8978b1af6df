import type { ClickHouseClient } from '@clickhouse/client';
import type { Ddl } from './ddl';

/**
 * One step of the schema. Steps are ordered and append-only; each runs once per database and is
 * recorded in `schema_migrations`. `statements` must be idempotent so an interrupted run can be
 * repeated; a step that is not expressible that way (moving data between tables) uses `run`,
 * which checks where it stands before it acts. Both build their DDL through `ddl` (ON CLUSTER and
 * the replicated engines on a cluster; see ddl.ts), and a spec checks every migration does.
 */
export interface Migration {
  version: number;
  name: string;
  statements: (db: string, ddl: Ddl) => string[];
  run?: (client: ClickHouseClient, db: string, ddl: Ddl) => Promise<void>;
}
