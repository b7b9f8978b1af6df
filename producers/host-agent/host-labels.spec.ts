import { loadConfig } from '../../core/config';
import { ConfigError } from '../../core/errors';

const labelsFrom = (text: string) =>
  loadConfig({ env: { TIDEWATCH_AGENT_LABELS: text, TIDEWATCH_DATA_DIR: '/tmp/tw-labels-spec' } }).agent
    .labels;

const refusal = (text: string) => {
  try {
    labelsFrom(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`labels "${text}" were accepted`);
};

describe('agent.labels', () => {
  it('reads name=value pairs from TIDEWATCH_AGENT_LABELS, spaces and empty pairs aside', () => {
    expect(labelsFrom(' env=prod, region=eu-1 ,,role=db=primary')).toEqual({
      env: 'prod',
      region: 'eu-1',
      role: 'db=primary',
    });
    expect(loadConfig({ env: { TIDEWATCH_DATA_DIR: '/tmp/tw-labels-spec' } }).agent.labels).toEqual({});
  });

  it.each([
    ['more than 16', Array.from({ length: 17 }, (_, i) => `k${i}=v`).join(','), 'at most 16 labels'],
    ['a pair without a value', 'env', 'needs a value'],
    ['a name that is not a plain name', 'bad name=x', 'label names are'],
    ['a name past 63 bytes', `${'k'.repeat(64)}=v`, 'at most 63 bytes'],
    ['a value past 128 bytes', `env=${'é'.repeat(65)}`, 'at most 128 bytes'],
    ['a control character', 'env=a\u0007b', 'control characters'],
  ])('refuses %s at start, naming the setting and its variable', (_, text, reason) => {
    const message = refusal(text);
    expect(message).toContain('agent.labels');
    expect(message).toContain('TIDEWATCH_AGENT_LABELS');
    expect(message).toContain(reason);
  });
});
