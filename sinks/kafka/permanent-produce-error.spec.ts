import {
  KafkaJSAggregateError,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { permanentProduceError } from './permanent-produce-error';

// What the broker's error codes become in kafkajs (protocol/error.js): type, code, retriable.
const protocol = (type: string, retriable: boolean) =>
  new KafkaJSProtocolError({ type, retriable, message: type } as unknown as Error);

describe('permanentProduceError', () => {
  it('names the refusals that blame the records, however kafkajs wraps them', () => {
    const tooLarge = protocol('MESSAGE_TOO_LARGE', false);
    expect(permanentProduceError(tooLarge)).toBe('MESSAGE_TOO_LARGE');
    // kafkajs's retrier wraps what it gives up on: new KafkaJSNonRetriableError(e, { cause: e })
    const wrapped = Object.assign(new KafkaJSNonRetriableError(tooLarge), { cause: tooLarge });
    expect(permanentProduceError(wrapped)).toBe('MESSAGE_TOO_LARGE');
    expect(permanentProduceError(new KafkaJSAggregateError('x', [protocol('INVALID_RECORD', false)]))).toBe(
      'INVALID_RECORD',
    );
    expect(
      permanentProduceError(new Error('outer', { cause: protocol('RECORD_LIST_TOO_LARGE', false) })),
    ).toBe('RECORD_LIST_TOO_LARGE');
  });

  it('leaves everything worth retrying alone', () => {
    const leader = protocol('NOT_LEADER_FOR_PARTITION', true);
    expect(permanentProduceError(leader)).toBeUndefined();
    expect(
      permanentProduceError(new KafkaJSNumberOfRetriesExceeded(leader, { cause: leader } as never)),
    ).toBeUndefined();
    expect(
      permanentProduceError(new KafkaJSConnectionError('Connection error: ECONNREFUSED')),
    ).toBeUndefined();
    expect(permanentProduceError(protocol('REQUEST_TIMED_OUT', true))).toBeUndefined();
    expect(permanentProduceError('MESSAGE_TOO_LARGE')).toBeUndefined();
    expect(permanentProduceError(null)).toBeUndefined();
  });

  it('stops on an error that wraps itself', () => {
    const e = new Error('loop') as Error & { cause?: unknown };
    e.cause = e;
    expect(permanentProduceError(e)).toBeUndefined();
  });
});
