import fs from 'node:fs';
import { ConfigError } from './errors';

/** The TLS settings of one connection (`kafka.tls`, `registry.tls`, `clickhouse.tls`). */
export interface TlsFiles {
  enabled?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
}

/** The PEM contents a TLS client needs; `ca` unset means the system CAs. */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export type ReadFile = (file: string) => Buffer;

/**
 * Reads the files a connection's TLS settings name, once, at start-up. A file that cannot be read
 * is a ConfigError naming the setting and the path (never the contents: a key is a secret).
 * Returns undefined when TLS is off.
 */
export function readTlsFiles(
  settings: TlsFiles | undefined,
  setting: string,
  read: ReadFile = (file) => fs.readFileSync(file),
): TlsMaterial | undefined {
  if (!settings || settings.enabled === false) return undefined;
  const out: TlsMaterial = {};
  for (const part of ['ca', 'cert', 'key'] as const) {
    const file = settings[part];
    if (!file) continue;
    try {
      out[part] = read(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`${setting}.${part}: cannot read ${file} (${code})`);
    }
  }
  return out;
}

/** Node's codes for a peer certificate that does not verify (untrusted, expired, wrong name). */
export const UNTRUSTED_CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The first error code along an error's causes that says the peer's certificate did not verify. */
export function untrustedCertificateCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNTRUSTED_CERTIFICATE_CODES.has(code)) return code;
    e =
      (e as { cause?: unknown; originalError?: unknown }).cause ??
      (e as { originalError?: unknown }).originalError;
  }
  return undefined;
}
