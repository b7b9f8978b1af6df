import { TidewatchError } from '../errors';
import { untrustedCertificateCode } from '../tls-files';
import { describeSecurity, type KafkaConnection } from './kafka-security';

function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e && out.length < 8;) {
    out.push(e);
    e = (e as { cause?: unknown }).cause;
  }
  return out;
}

/**
 * A connection failure that no retry can fix, as a TidewatchError that says which: the broker
 * refused the credentials (TW_ERR_KAFKA_AUTH_FAILED) or its certificate is not trusted
 * (TW_ERR_TLS_UNTRUSTED). Undefined for anything else (a broker away is retried as usual).
 */
export function connectFailure(err: unknown, connection: KafkaConnection): TidewatchError | undefined {
  if (err instanceof TidewatchError) return err;
  const where = connection.brokers.join(',');
  const certificate = untrustedCertificateCode(err);
  if (certificate) {
    const fix = connection.tls?.ca
      ? `kafka.tls.ca (${connection.tls.ca}) does not hold the CA that signed it`
      : 'set kafka.tls.ca (TIDEWATCH_KAFKA_TLS_CA) to the CA that signed it';
    return new TidewatchError(
      'TW_ERR_TLS_UNTRUSTED',
      `Kafka at ${where}: the broker's certificate is not trusted (${certificate}); ${fix}`,
      { cause: err },
    );
  }
  const auth = causes(err).find(
    (e) =>
      (e as { name?: unknown }).name === 'KafkaJSSASLAuthenticationError' ||
      (e as { type?: unknown }).type === 'SASL_AUTHENTICATION_FAILED' ||
      (e as { type?: unknown }).type === 'UNSUPPORTED_SASL_MECHANISM',
  );
  if (auth) {
    return new TidewatchError(
      'TW_ERR_KAFKA_AUTH_FAILED',
      `Kafka at ${where} refused to authenticate ${describeSecurity(connection)}: ` +
        `${(auth as Error).message}; check kafka.sasl (mechanism, username, password)`,
      { cause: err },
    );
  }
  return undefined;
}
