import { dashboardNotice } from './dashboard-notice';

describe('dashboardNotice', () => {
  const base = { url: 'http://127.0.0.1:7878', token: 'tok-0123456789abcdef', dataDir: '/srv/tw' };

  it('prints the URL with the token on a terminal only', () => {
    expect(dashboardNotice({ ...base, configuredToken: false, terminal: true })).toBe(
      'Dashboard: http://127.0.0.1:7878/?token=tok-0123456789abcdef\n',
    );
    const piped = dashboardNotice({ ...base, configuredToken: false, terminal: false });
    expect(piped).not.toContain(base.token);
    expect(piped).toMatch(/^Dashboard: http:\/\/127\.0\.0\.1:7878\/\n/);
    expect(piped).toContain('cat /srv/tw/token');
  });

  it('points at the setting when the token is configured, and names what the URL is for', () => {
    const piped = dashboardNotice({ ...base, configuredToken: true, terminal: false, label: 'Gateway' });
    expect(piped).not.toContain(base.token);
    expect(piped).toMatch(/^Gateway: /);
    expect(piped).toContain('TIDEWATCH_TOKEN');
    expect(piped).not.toContain('/srv/tw/token');
  });
});
