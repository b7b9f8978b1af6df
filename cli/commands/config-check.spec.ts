import { loadConfig } from '../../core/config';
import { configCheckCommand } from './config-check';

describe('config check', () => {
  it('prints the effective settings with every secret masked and the rest as set', () => {
    const config = loadConfig({
      env: {
        TIDEWATCH_TOKEN: 'tok-0123456789abcdef-secret',
        CLICKHOUSE_URL: 'http://admin:hunter2@ch:8123',
        CLICKHOUSE_PASSWORD: 'pw-hunter2-secret',
        TIDEWATCH_LOG_FORMAT: 'pretty',
      },
      cwd: '/srv/app',
    });
    let out = '';
    configCheckCommand(config, (t) => void (out += t));
    expect(out).not.toMatch(/tok-0123|hunter2/);
    const shown = JSON.parse(out);
    expect(shown.gateway.token).toBe('[secret]');
    expect(shown.clickhouse.url).toBe('[secret]');
    expect(shown.clickhouse.password).toBe('[secret]');
    expect(shown.logFormat).toBe('pretty');
    expect(shown.dataDir).toBe('/srv/app/.tidewatch');
    expect(shown.gateway.port).toBe(7878);
  });
});
