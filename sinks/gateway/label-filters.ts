import {
  LABEL_NAME,
  MAX_HOST_LABELS,
  MAX_LABEL_KEY_BYTES,
  MAX_LABEL_VALUE_BYTES,
} from '../../producers/host-agent/host-labels';

/** One `?label=name:value` of /api/hosts: hosts whose label `name` is `value`. */
export interface LabelFilter {
  name: string;
  value: string;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * The `label` parameters of a request (`?label=env:prod&label=region:eu-1`, all of which must
 * hold), or the reason they are refused: at most as many as a host can have labels, each a label
 * name and a value within the agent's own bounds (`agent.labels`). They reach the query only as
 * bound parameters.
 */
export function labelFilters(params: URLSearchParams): LabelFilter[] | { problem: string } {
  const given = params.getAll('label');
  if (given.length > MAX_HOST_LABELS) return { problem: `at most ${MAX_HOST_LABELS} label filters` };
  const filters: LabelFilter[] = [];
  for (const text of given) {
    const at = text.indexOf(':');
    const name = at < 0 ? text : text.slice(0, at);
    const value = at < 0 ? '' : text.slice(at + 1);
    if (
      !LABEL_NAME.test(name) ||
      bytes(name) > MAX_LABEL_KEY_BYTES ||
      value === '' ||
      bytes(value) > MAX_LABEL_VALUE_BYTES
    )
      return {
        problem: `a label filter is name:value (a label name of letters, digits, _ . - up to ${MAX_LABEL_KEY_BYTES} bytes, a value of 1–${MAX_LABEL_VALUE_BYTES} bytes), e.g. label=env:prod`,
      };
    filters.push({ name, value });
  }
  return filters;
}
