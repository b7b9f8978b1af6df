import { ConfigError } from '../../core/errors';
import { readTlsFiles, type ReadFile, type TlsFiles } from '../../core/tls-files';

/**
 * The official client's `tls` option from `clickhouse.tls`: a private CA, and with it a client
 * certificate for mutual TLS. Undefined trusts the system CAs (the client always verifies).
 */
export function clickHouseTls(
  settings: TlsFiles | undefined,
  read?: ReadFile,
): { ca_cert: Buffer; cert?: Buffer; key?: Buffer } | undefined {
  const tls = readTlsFiles(settings, 'clickhouse.tls', read);
  if (!tls?.ca) {
    if (tls?.cert)
      throw new ConfigError('clickhouse.tls.cert: a client certificate needs clickhouse.tls.ca too');
    return undefined;
  }
  return tls.cert && tls.key ? { ca_cert: tls.ca, cert: tls.cert, key: tls.key } : { ca_cert: tls.ca };
}
