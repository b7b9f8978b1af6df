import { z } from 'zod';

/** At most this many labels per host: each travels with every sample and is a key of a stored map. */
export const MAX_HOST_LABELS = 16;
export const MAX_LABEL_KEY_BYTES = 63;
export const MAX_LABEL_VALUE_BYTES = 128;

/** What a label name may be: a plain name, safe in a query string, a URL and a column of a map. */
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** `env=prod,region=eu-1` (TIDEWATCH_AGENT_LABELS) as a map; a map (config file) is kept as is. */
export function parseLabelList(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  const labels: Record<string, string> = {};
  for (const pair of input.split(',')) {
    if (!pair.trim()) continue;
    const at = pair.indexOf('=');
    // A pair without "=" keeps its text as the key with no value, so validation names it.
    labels[(at < 0 ? pair : pair.slice(0, at)).trim()] = at < 0 ? '' : pair.slice(at + 1).trim();
  }
  return labels;
}

/**
 * `agent.labels`: what the host is for (env, region, role…), sent with every sample and stored
 * with it, so queries, `/api/hosts?label=env:prod` and the dashboard can filter by them. Bounded
 * at start-up: at most 16, keys plain names of up to 63 bytes, values 1–128 bytes of printable text.
 */
/** What is wrong with one label, or undefined. */
function labelProblem(name: string, value: string): string | undefined {
  if (!LABEL_NAME.test(name))
    return `label names are letters, digits, _ . - (starting with a letter or _), not "${name.slice(0, 64)}"`;
  if (bytes(name) > MAX_LABEL_KEY_BYTES)
    return `label names are at most ${MAX_LABEL_KEY_BYTES} bytes (${name.slice(0, 16)}…)`;
  if (value === '') return `a label needs a value (name=value): ${name}`;
  if (bytes(value) > MAX_LABEL_VALUE_BYTES)
    return `label values are at most ${MAX_LABEL_VALUE_BYTES} bytes (${name})`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) return `label values cannot hold control characters (${name})`;
  return undefined;
}

/**
 * `agent.labels`: what the host is for (env, region, role…), sent with every sample and stored
 * with it, so queries, `/api/hosts?label=env:prod` and the dashboard can filter by them. Bounded
 * at start-up: at most 16, names plain of up to 63 bytes, values 1–128 bytes of printable text.
 * Problems are reported on the setting itself, so the error names it and its variable.
 */
export const hostLabelsSetting = z
  .preprocess(
    parseLabelList,
    z.record(z.string(), z.string()).superRefine((labels, ctx) => {
      const names = Object.keys(labels);
      if (names.length > MAX_HOST_LABELS)
        ctx.addIssue({ code: 'custom', message: `at most ${MAX_HOST_LABELS} labels, not ${names.length}` });
      for (const name of names.slice(0, MAX_HOST_LABELS + 1)) {
        const problem = labelProblem(name, labels[name]!);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }
    }),
  )
  .default({})
  .describe('Host labels sent with every sample: env=prod,region=eu-1 (also TIDEWATCH_AGENT_LABELS)');
