import { ConfigError } from '../errors';
import type { EnvSetting } from './env';
import { secretsFromFiles } from './secret-file';

const SETTINGS: EnvSetting[] = [
  { name: 'TIDEWATCH_KAFKA_SASL_PASSWORD', path: 'kafka.sasl.password', kind: 'string', secret: true },
  { name: 'TIDEWATCH_KAFKA_SASL_USERNAME', path: 'kafka.sasl.username', kind: 'string' },
];

const files = (contents: Record<string, string>) => (file: string) => {
  if (!(file in contents)) throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
  return contents[file]!;
};

describe('secrets from *_FILE variables', () => {
  it('reads a secret variable from the file its _FILE variable names, dropping one trailing newline', () => {
    const env = { TIDEWATCH_KAFKA_SASL_PASSWORD_FILE: 'pw' };
    expect(
      secretsFromFiles(env, SETTINGS, '/run/secrets', files({ '/run/secrets/pw': 's3cret \n' })),
    ).toEqual({
      TIDEWATCH_KAFKA_SASL_PASSWORD: 's3cret ',
    });
  });

  it('only for secret settings', () => {
    const env = { TIDEWATCH_KAFKA_SASL_USERNAME_FILE: '/u' };
    expect(secretsFromFiles(env, SETTINGS, '/', files({ '/u': 'someone' }))).toEqual({});
  });

  it('refuses both the variable and its _FILE', () => {
    const env = { TIDEWATCH_KAFKA_SASL_PASSWORD: 'a', TIDEWATCH_KAFKA_SASL_PASSWORD_FILE: '/pw' };
    expect(() => secretsFromFiles(env, SETTINGS, '/', files({ '/pw': 'b' }))).toThrow(
      /set TIDEWATCH_KAFKA_SASL_PASSWORD or TIDEWATCH_KAFKA_SASL_PASSWORD_FILE, not both/,
    );
  });

  it('names the variable, the setting and the path of a file it cannot read, or an empty one, never a value', () => {
    const missing = () =>
      secretsFromFiles({ TIDEWATCH_KAFKA_SASL_PASSWORD_FILE: '/nope' }, SETTINGS, '/', files({}));
    expect(missing).toThrow(ConfigError);
    expect(missing).toThrow(
      'TIDEWATCH_KAFKA_SASL_PASSWORD_FILE (kafka.sasl.password): cannot read /nope (ENOENT)',
    );
    const empty = () =>
      secretsFromFiles({ TIDEWATCH_KAFKA_SASL_PASSWORD_FILE: '/e' }, SETTINGS, '/', files({ '/e': '\n' }));
    expect(empty).toThrow('/e is empty');
  });
});
