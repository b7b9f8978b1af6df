import { TidewatchError } from '../../core/errors';

/**
 * The engine's refusal to parse a second statement (when it formats the console's query back from
 * its parse) as the console's own refusal; any other error as it is.
 */
export function oneStatementRefusal(err: unknown): unknown {
  return String((err as Error)?.message).includes('Multi-statements are not allowed')
    ? new TidewatchError(
        'TW_ERR_SQL_NOT_READONLY',
        'one statement per request: the engine parsed more than one',
      )
    : err;
}
