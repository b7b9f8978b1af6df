import type { z } from 'zod';
import { closestKey } from './closest-key';
import { ENV_SETTINGS } from './env';
import { isSecretSetting } from './secret-setting';
import { keysAt } from './setting-at';

type Tree = Record<string, unknown>;

function valueAt(tree: Tree, path: readonly PropertyKey[]): unknown {
  let node: unknown = tree;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Tree)[String(key)];
  }
  return node;
}

/** A short, plain value worth echoing: never an object (it may hold secrets) nor a long text. */
function echo(value: unknown): string {
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return `; got ${value}`;
  if (typeof value === 'string' && value.length <= 200) return `; got ${JSON.stringify(value)}`;
  return '';
}

/**
 * One line of a configuration error: the setting (and its variable), what is wrong, the value
 * given unless it is or may be a secret, and for an unknown key the closest known one. Never the
 * merged configuration.
 */
export function describeIssue(schema: z.core.$ZodType, tree: Tree, issue: z.core.$ZodIssue): string {
  const dotted = issue.path.join('.');
  const envName = ENV_SETTINGS.find((s) => s.path === dotted)?.name;
  const where = envName ? `${dotted} (env ${envName})` : dotted || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, issue.path);
    const keys = issue.keys.map((key) => {
      const near = closestKey(key, known);
      return `${JSON.stringify(key)}${near ? ` (did you mean "${near}"?)` : ''}`;
    });
    const allowed = known.length ? `; allowed: ${known.join(', ')}` : '';
    return `  - ${where}: unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}${allowed}`;
  }
  const got = isSecretSetting(schema, issue.path) ? '' : echo(valueAt(tree, issue.path));
  return `  - ${where}: ${issue.message}${got}`;
}
