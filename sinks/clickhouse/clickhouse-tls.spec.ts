import { ConfigError } from '../../core/errors';
import { clickHouseTls } from './clickhouse-tls';

const read = (file: string) => Buffer.from(file);

describe('ClickHouse client TLS option', () => {
  it('trusts the system CAs without settings or a CA', () => {
    expect(clickHouseTls(undefined, read)).toBeUndefined();
    expect(clickHouseTls({ enabled: true }, read)).toBeUndefined();
  });

  it('a private CA, and a client certificate with it', () => {
    expect(clickHouseTls({ enabled: true, ca: '/ca' }, read)).toEqual({ ca_cert: Buffer.from('/ca') });
    expect(clickHouseTls({ enabled: true, ca: '/ca', cert: '/c', key: '/k' }, read)).toEqual({
      ca_cert: Buffer.from('/ca'),
      cert: Buffer.from('/c'),
      key: Buffer.from('/k'),
    });
  });

  it('a client certificate without a CA is a ConfigError naming the setting', () => {
    expect(() => clickHouseTls({ enabled: true, cert: '/c', key: '/k' }, read)).toThrow(ConfigError);
    expect(() => clickHouseTls({ enabled: true, cert: '/c', key: '/k' }, read)).toThrow(
      /clickhouse\.tls\.cert/,
    );
  });
});
