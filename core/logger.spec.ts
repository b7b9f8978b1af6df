import { chooseLogFormat, createLogger } from './logger';
import { prettyLogLine } from './pretty-log';

const capture = () => {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
};

describe('log format', () => {
  it('is readable on a terminal and JSON otherwise, unless the setting forces one', () => {
    expect(chooseLogFormat('auto', true)).toBe('pretty');
    expect(chooseLogFormat('auto', false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes JSON lines by default', () => {
    const out = capture();
    createLogger('info', out.stream).child({ component: 'agent' }).warn({ n: 3 }, 'spool full');
    expect(JSON.parse(out.lines[0]!)).toMatchObject({
      level: 40,
      component: 'agent',
      n: 3,
      msg: 'spool full',
    });
  });

  it('writes one readable line per entry when pretty, secrets still redacted', () => {
    const out = capture();
    const log = createLogger('info', out.stream, 'pretty').child({ component: 'gateway' });
    log.info({ port: 8080, token: 'tok-secret-123', path: '/a b' }, 'listening');
    log.debug('not at this level');
    expect(out.lines).toHaveLength(1);
    expect(out.lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} INFO {2}\[gateway\] listening port=8080 token=\[redacted\] path="\/a b"\n$/,
    );
    expect(out.lines[0]).not.toContain('tok-secret-123');
  });

  it('puts an error stack under its line, and passes text that is not JSON through', () => {
    const line = prettyLogLine(
      JSON.stringify({
        level: 50,
        time: 0,
        msg: 'failed',
        err: { message: 'boom', stack: 'Error: boom\n  at x' },
      }),
    );
    expect(line).toBe('00:00:00.000 ERROR failed\n    Error: boom\n      at x\n');
    expect(prettyLogLine('not json')).toBe('not json');
  });
});
