import { TidewatchError } from '../../core/errors';

/** The SQL console has as many queries running and waiting as it takes; the gateway answers 429. */
export class ConsoleBusyError extends TidewatchError {
  constructor(
    readonly retryAfterSeconds: number,
    running: number,
    waiting: number,
  ) {
    super(
      'TW_ERR_SQL_CONSOLE_BUSY',
      `the SQL console is busy (${running} queries running, ${waiting} waiting); retry in ${retryAfterSeconds} s`,
      { retriable: true },
    );
  }
}
