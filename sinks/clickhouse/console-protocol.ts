import type { ConsoleLimits } from './console-sandbox';

/** What a SQL console thread is started with. */
export interface ConsoleSetup {
  /** The engine's data directory (the process's one). */
  path: string;
  /** The database unqualified names mean, and the one the console reads; unset: any. */
  database?: string;
  limits: ConsoleLimits;
  /** More session settings (tests raise `function_sleep_max_microseconds_per_block`). */
  extraSettings?: Record<string, number | string>;
}

/** One console query. */
export interface ConsoleJob {
  id: number;
  sql: string;
  params: Record<string, unknown>;
}

/** Its outcome: the engine's JSON result, or a refusal or engine error with its reason. */
export type ConsoleReply =
  | { id: number; ok: true; json: string }
  | {
      id: number;
      ok: false;
      code: 'TW_ERR_SQL_NOT_READONLY' | 'TW_ERR_BAD_REQUEST' | 'TW_ERR_CLICKHOUSE_QUERY';
      message: string;
      /** ClickHouse's error name, e.g. MEMORY_LIMIT_EXCEEDED. */
      type?: string;
    };
