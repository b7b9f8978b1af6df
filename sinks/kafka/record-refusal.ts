import { errorMessage, type ErrorCode } from '../../core/errors';
import type { OutgoingRecord, RefusedRecord } from './bounded-produce';

/** The code and reason a record `boundedProduce` could not write is dead-lettered (or counted) with. */
export function recordRefusal(
  topic: string,
  refused: RefusedRecord<OutgoingRecord>,
  maxBytes: number,
): { code: ErrorCode; reason: string } {
  const bytes = refused.record.value?.length ?? 0;
  const why = refused.why;
  if (why === 'over_limit' || why === 'MESSAGE_TOO_LARGE' || why === 'RECORD_LIST_TOO_LARGE') {
    return {
      code: 'TW_ERR_RECORD_TOO_LARGE',
      reason: `a ${bytes}-byte record is larger than ${topic} accepts (${maxBytes} bytes per request)`,
    };
  }
  return {
    code: 'TW_ERR_RECORD_REJECTED',
    reason: `${topic} refused the record (${why}): ${errorMessage(refused.error)}`,
  };
}
