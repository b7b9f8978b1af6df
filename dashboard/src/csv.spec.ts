import { toCsv } from './csv';

describe('toCsv', () => {
  it('quotes what needs quoting and writes objects as JSON', () => {
    expect(
      toCsv(
        ['host', 'value', 'attrs'],
        [
          { host: 'web-1', value: 0.5, attrs: { a: 'b' } },
          { host: 'say "hi", bye', value: null },
        ],
      ),
    ).toBe('host,value,attrs\r\nweb-1,0.5,"{""a"":""b""}"\r\n"say ""hi"", bye",,\r\n');
  });
});
