import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { checkConsoleAst, type ConsolePolicy } from './console-ast';
import type { ConsoleJob, ConsoleReply, ConsoleSetup } from './console-protocol';
import { sandboxStatements } from './console-sandbox';
import { oneStatementRefusal } from './one-statement';
import { loadChdb } from './load-chdb';

/**
 * One SQL console thread: runs a console query at a time on the embedded engine with chDB's
 * synchronous calls, so a long query holds this thread and nothing else (not the main thread,
 * not libuv's pool that the pipeline's inserts and the gateway's queries run on). Every query
 * gets a session of its own on the process's one data directory (`console-sandbox.ts`), closed
 * when it is done, so nothing it set or left over reaches the next one.
 */
interface ChdbSession {
  query(sql: string, format: string): Buffer | string;
  close(): void;
}
const { Session } = loadChdb<{ Session: new (path: string) => ChdbSession }>('chdb');

const setup = workerData as ConsoleSetup;
let policy: ConsolePolicy | undefined;

function names(session: ChdbSession, table: string): Set<string> {
  const body = JSON.parse(String(session.query(`SELECT name FROM system.${table}`, 'JSONCompact'))) as {
    data: [string][];
  };
  return new Set(body.data.map((r) => r[0]));
}

/** The engine's message, first line, without chDB's prefix or the scope of our own wrapper. */
function engineMessage(err: unknown): { message: string; type?: string } {
  const first = String((err as Error)?.message ?? err)
    .split('\n')[0]!
    .replace(/^Query failed: /, '');
  const scope = first.indexOf(' In scope SELECT formatQuerySingleLine(');
  const message = scope >= 0 ? first.slice(0, scope).replace(/[:.]\s*$/, '') : first;
  const type = /\(([A-Z][A-Z0-9_]+)\)\s*$/.exec(first)?.[1];
  return { message, type };
}

function run(job: ConsoleJob): ConsoleReply {
  let session: ChdbSession | undefined;
  try {
    const statements = sandboxStatements(setup.limits, setup.database, job.params, setup.extraSettings);
    session = new Session(setup.path);
    for (const statement of statements) {
      try {
        session.query(statement, 'CSV');
      } catch (err) {
        // A database not created yet (no instance has run here): unqualified names find nothing.
        if (!statement.startsWith('USE ')) throw err;
      }
    }
    policy ??= {
      databases: setup.database ? [setup.database] : undefined,
      tableFunctions: names(session, 'table_functions'),
      functions: names(session, 'functions'),
    };
    // The engine parses the query: one statement, formatted back (comments and escapes resolved),
    // then its tree; what runs is that formatted text, exactly what was checked.
    const hex = Buffer.from(job.sql, 'utf8').toString('hex');
    let canonical: string;
    try {
      canonical = String(session.query(`SELECT formatQuerySingleLine(unhex('${hex}'))`, 'RawBLOB'));
    } catch (err) {
      throw oneStatementRefusal(err);
    }
    const tree = JSON.parse(String(session.query(`EXPLAIN AST ${canonical}`, 'JSONCompact'))) as {
      data: [string][];
    };
    checkConsoleAst(
      tree.data.map((r) => r[0]),
      policy,
    );
    return { id: job.id, ok: true, json: String(session.query(canonical, 'JSON')) };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'TW_ERR_SQL_NOT_READONLY' || code === 'TW_ERR_BAD_REQUEST')
      return { id: job.id, ok: false, code, message: (err as Error).message };
    const { message, type } = engineMessage(err);
    return { id: job.id, ok: false, code: 'TW_ERR_CLICKHOUSE_QUERY', message, type };
  } finally {
    session?.close();
  }
}

/**
 * The engine runs a console query (`max_threads` 1) on the calling thread, this one: at a lower
 * priority (Linux nice +10), a long query takes only the core time the pipeline and the gateway
 * leave.
 */
function lowerPriority(): void {
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    os.setPriority(tid, Math.min(19, os.getPriority(tid) + 10));
  } catch {
    // no per-thread priorities here: the thread runs at the process's
  }
}

lowerPriority();
parentPort!.on('message', (job: ConsoleJob | 'stop') => {
  if (job === 'stop') parentPort!.close();
  else parentPort!.postMessage(run(job));
});
