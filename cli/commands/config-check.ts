import { configSchema, isSecretSetting, type Config } from '../../core/config';

/** The configuration with every secret setting's value replaced by `[secret]`. */
export function maskSecrets(value: unknown, path: (string | number)[] = []): unknown {
  if (path.length > 0 && value !== undefined && isSecretSetting(configSchema, path)) return '[secret]';
  if (Array.isArray(value)) return value.map((v, i) => maskSecrets(v, [...path, i]));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, [...path, k])]));
  return value;
}

/**
 * `tidewatch config check`: the configuration was loaded and validated before this runs (an invalid
 * one has already failed with the setting named); prints the effective settings, defaults, file
 * and environment merged, secrets masked.
 */
export function configCheckCommand(config: Config, out: (text: string) => void): void {
  out(`${JSON.stringify(maskSecrets(config), null, 2)}\n`);
}
