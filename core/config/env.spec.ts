import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../paths';
import { ENV_SETTINGS, parseEnvValue } from './env';

describe('environment settings', () => {
  const readme = fs.readFileSync(path.join(projectRoot(), 'README.md'), 'utf8');

  it.each(ENV_SETTINGS.map((s) => [s.name, s.path]))(
    '%s (%s) is in the README configuration table',
    (name, setting) => {
      expect(readme).toMatch(new RegExp(`\\| \`${name}\` \\| \`${setting.replace('.', '\\.')}\` \\|`));
    },
  );

  it('parses by kind and keeps unparsable text for validation to name', () => {
    expect(parseEnvValue('int', ' 42 ')).toBe(42);
    expect(parseEnvValue('int', '4x')).toBe('4x');
    expect(parseEnvValue('list', 'a, b,,c')).toEqual(['a', 'b', 'c']);
    expect(parseEnvValue('bool', 'true')).toBe(true);
  });
});
