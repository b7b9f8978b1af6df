import { ConfigError } from '../errors';
import { describeSecurity, kafkaSecurity } from './kafka-security';

const read = (file: string) => {
  if (file.startsWith('/missing')) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return Buffer.from(`pem of ${file}`);
};
const brokers = ['k1:9093'];
const sasl = { mechanism: 'scram-sha-512' as const, username: 'tidewatch', password: 'pw' };

describe('Kafka client security options', () => {
  it('plain brokers get neither ssl nor sasl', () => {
    expect(kafkaSecurity({ brokers }, read)).toEqual({});
  });

  it('TLS without a CA trusts the system CAs, and always verifies', () => {
    expect(kafkaSecurity({ brokers, tls: { enabled: true } }, read)).toEqual({
      ssl: { rejectUnauthorized: true },
    });
  });

  it('TLS with a private CA and a client certificate', () => {
    const { ssl } = kafkaSecurity(
      { brokers, tls: { enabled: true, ca: '/ca.pem', cert: '/c.pem', key: '/k.pem' } },
      read,
    );
    expect(ssl).toEqual({
      rejectUnauthorized: true,
      ca: [Buffer.from('pem of /ca.pem')],
      cert: Buffer.from('pem of /c.pem'),
      key: Buffer.from('pem of /k.pem'),
    });
  });

  it('TLS turned off leaves ssl out even with a CA named', () => {
    expect(kafkaSecurity({ brokers, tls: { enabled: false, ca: '/ca.pem' } }, read)).toEqual({});
  });

  it('SASL passes mechanism, user and password', () => {
    expect(kafkaSecurity({ brokers, tls: { enabled: true }, sasl }, read)).toEqual({
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'tidewatch', password: 'pw' },
    });
  });

  it('a CA file it cannot read is a ConfigError naming the setting and the path', () => {
    const build = () => kafkaSecurity({ brokers, tls: { enabled: true, ca: '/missing/ca.pem' } }, read);
    expect(build).toThrow(ConfigError);
    expect(build).toThrow('kafka.tls.ca: cannot read /missing/ca.pem (ENOENT)');
  });

  it('describes the protocol for messages without the password', () => {
    expect(describeSecurity({ brokers })).toBe('PLAINTEXT');
    expect(describeSecurity({ brokers, tls: { enabled: true } })).toBe('SSL');
    expect(describeSecurity({ brokers, sasl })).toBe('SASL_PLAINTEXT (SCRAM-SHA-512 as tidewatch)');
    expect(describeSecurity({ brokers, tls: { enabled: true }, sasl })).toBe(
      'SASL_SSL (SCRAM-SHA-512 as tidewatch)',
    );
  });
});
