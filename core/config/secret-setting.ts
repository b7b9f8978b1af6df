import { z } from 'zod';
import { settingAt } from './setting-at';

/**
 * The settings whose values are secrets (tokens, passwords, credentials, and URLs that may carry
 * them). Marked once in the schema with `secret(...)`; error messages never echo their values.
 */
const secrets = z.registry<Record<string, never>>();

/** Marks a setting's schema as secret; returns the same schema. */
export function secret<T extends z.core.$ZodType>(schema: T): T {
  secrets.add(schema, {});
  return schema;
}

/** Names that hold a secret wherever they appear, marked or not (e.g. a misspelled section's). */
const SECRET_NAME = /secret|passw|token|credential|(?:^|[a-z_])key$/i;

/**
 * True when the value at `path` may be a secret: a setting marked `secret`, inside one (an array
 * item), or a key named like one. An unknown path counts as secret only by its name.
 */
export function isSecretSetting(root: z.core.$ZodType, path: readonly PropertyKey[]): boolean {
  if (path.some((key) => typeof key === 'string' && SECRET_NAME.test(key))) return true;
  for (let depth = 1; depth <= path.length; depth++) {
    if (settingAt(root, path.slice(0, depth))?.some((layer) => secrets.has(layer))) return true;
  }
  return false;
}
