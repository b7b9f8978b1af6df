import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSSASLAuthenticationError,
} from 'kafkajs';
import { TidewatchError } from '../errors';
import { connectFailure } from './connect-failure';

const connection = {
  brokers: ['k1:9093'],
  tls: { enabled: true, ca: '/etc/kafka-ca.pem' },
  sasl: { mechanism: 'scram-sha-512' as const, username: 'tidewatch', password: 'hunter2-secret' },
};

const tlsFailure = (code: string) =>
  new KafkaJSConnectionError(`Connection error: ${code}`, { broker: 'k1:9093', code } as never);

describe('connection failures no retry can fix', () => {
  it('an untrusted certificate, also after retries ran out', () => {
    const direct = connectFailure(tlsFailure('SELF_SIGNED_CERT_IN_CHAIN'), connection);
    expect(direct).toBeInstanceOf(TidewatchError);
    expect(direct?.code).toBe('TW_ERR_TLS_UNTRUSTED');
    expect(direct?.message).toBe(
      "Kafka at k1:9093: the broker's certificate is not trusted (SELF_SIGNED_CERT_IN_CHAIN); kafka.tls.ca (/etc/kafka-ca.pem) does not hold the CA that signed it",
    );
    const retried = new KafkaJSNumberOfRetriesExceeded(tlsFailure('ERR_TLS_CERT_ALTNAME_INVALID'), {
      retryCount: 8,
      retryTime: 1000,
    } as never);
    expect(connectFailure(retried, connection)?.code).toBe('TW_ERR_TLS_UNTRUSTED');
    expect(
      connectFailure(tlsFailure('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), { brokers: ['k1:9093'] })?.message,
    ).toMatch(/set kafka\.tls\.ca \(TIDEWATCH_KAFKA_TLS_CA\)/);
  });

  it('refused credentials, naming the mechanism and user but not the password', () => {
    const err = connectFailure(
      new (KafkaJSSASLAuthenticationError as unknown as new (message: string) => Error)(
        'SASL SCRAM SHA512 authentication failed: invalid credentials',
      ),
      connection,
    );
    expect(err?.code).toBe('TW_ERR_KAFKA_AUTH_FAILED');
    expect(err?.message).toMatch(/refused to authenticate SASL_SSL \(SCRAM-SHA-512 as tidewatch\)/);
    expect(err?.message).not.toContain('hunter2-secret');
  });

  it('leaves everything else to the usual retries', () => {
    expect(connectFailure(tlsFailure('ECONNREFUSED'), connection)).toBeUndefined();
    expect(connectFailure(new Error('Connection timeout'), connection)).toBeUndefined();
  });
});
