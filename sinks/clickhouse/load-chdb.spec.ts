import { ConfigError } from '../../core/errors';
import { loadChdb } from './load-chdb';

const notFound = (id: string) => {
  const err = new Error(`Cannot find module '${id}'`) as NodeJS.ErrnoException;
  err.code = 'MODULE_NOT_FOUND';
  return err;
};

describe('loadChdb', () => {
  it('hands the engine over when it is installed', () => {
    const engine = { Session: class {} };
    expect(loadChdb('chdb', () => engine)).toBe(engine);
  });

  it('says how to install it, or to use a server, when it is missing', () => {
    const load = () => {
      throw notFound('chdb/connection');
    };
    expect(() => loadChdb('chdb/connection', load)).toThrow(ConfigError);
    expect(() => loadChdb('chdb/connection', load)).toThrow(
      /npm install chdb.*clickhouse\.url \(CLICKHOUSE_URL\)/,
    );
  });

  it('lets any other failure through as it is (a module chdb itself cannot find, a broken build)', () => {
    const inner = notFound('@chdb/lib-linux-x64');
    expect(() =>
      loadChdb('chdb', () => {
        throw inner;
      }),
    ).toThrow(inner);
  });
});
