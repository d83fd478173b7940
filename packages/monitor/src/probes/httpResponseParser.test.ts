import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createResponseParser, type ParsedResponse } from './httpResponseParser.js';

/** Feeds `bytes` cut at `cuts`; then, if nothing completed, the connection's close. */
function parse(bytes: Buffer, cuts: number[] = [], close = false): ParsedResponse | undefined {
  const parser = createResponseParser();
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const to of [...points, bytes.length]) {
    if (to <= from) continue;
    const done = parser.push(bytes.subarray(from, to));
    if (done) return done;
    from = to;
  }
  return close ? parser.end() : undefined;
}

const raw = (text: string) => Buffer.from(text, 'latin1');

describe('createResponseParser', () => {
  it('Content-Length, chunked and close-delimited bodies', () => {
    expect(parse(raw('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))).toEqual({
      status: 200,
      body: 'ok',
      keepAlive: true,
    });
    expect(
      parse(
        raw(
          'HTTP/1.1 503 X\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nT: v\r\n\r\n',
        ),
      ),
    ).toEqual({ status: 503, body: 'abc', keepAlive: true });
    expect(parse(raw('HTTP/1.0 200 OK\r\n\r\nall of it'), [], true)).toEqual({
      status: 200,
      body: 'all of it',
      keepAlive: false,
    });
  });

  it('keep-alive: Connection close, HTTP/1.0 unless keep-alive, bytes after the response', () => {
    expect(
      parse(raw('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'))?.keepAlive,
    ).toBe(false);
    expect(parse(raw('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'))?.keepAlive).toBe(false);
    expect(
      parse(raw('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'))
        ?.keepAlive,
    ).toBe(true);
    expect(parse(raw('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy'))?.keepAlive).toBe(false);
  });

  it('skips interim 1xx responses; 204 and 304 have no body', () => {
    expect(
      parse(
        raw(
          'HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx',
        ),
      ),
    ).toEqual({ status: 200, body: 'x', keepAlive: true });
    expect(parse(raw('HTTP/1.1 204 No Content\r\n\r\n'))).toEqual({
      status: 204,
      body: '',
      keepAlive: true,
    });
  });

  it('rejects what it does not understand, saying what', () => {
    const bad =
      (text: string, close = false) =>
      () =>
        parse(raw(text), [], close);
    expect(bad('SSH-2.0-OpenSSH\r\n\r\n')).toThrow(/not an HTTP\/1.x status line/);
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n')).toThrow(/bad Content-Length/);
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')).toThrow(
      /conflicting Content-Length/,
    );
    expect(bad('HTTP/1.1 200 OK\r\n folded\r\n\r\n')).toThrow(/malformed header line/);
    expect(bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toThrow(
      /bad chunk size/,
    );
    expect(bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n')).toThrow(
      /chunk data longer/,
    );
    expect(bad('HTTP/1.1 101 Switching\r\n\r\n')).toThrow(/switched protocols/);
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab', true)).toThrow(
      /closed before the body ended/,
    );
    expect(bad('HTTP/1.1 20', true)).toThrow(/closed before a response/);
  });

  it('bounds the body and the headers', () => {
    const small = createResponseParser({ maxBodyBytes: 4, maxHeaderBytes: 64 });
    expect(() => small.push(raw('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'))).toThrow(
      /larger than 4 bytes/,
    );
    const chunked = createResponseParser({ maxBodyBytes: 4 });
    expect(() =>
      chunked.push(
        raw('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\nabc\r\n'),
      ),
    ).toThrow(/larger than 4 bytes/);
    const headers = createResponseParser({ maxHeaderBytes: 64 });
    expect(() => headers.push(raw(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(100)}`))).toThrow(
      /headers larger than 64 bytes/,
    );
  });

  it('any response, however the bytes are cut, parses to what was sent (property)', () => {
    const response = fc.record({
      status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
      body: fc.string({ unit: 'grapheme', maxLength: 300 }),
      framing: fc.constantFrom('length', 'chunked', 'close'),
      chunkSizes: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
      close: fc.boolean(),
      interim: fc.boolean(),
      extra: fc.array(
        fc.tuple(
          fc.constantFrom('X-A', 'date', 'Server'),
          fc.string({ unit: fc.constantFrom('a', 'b', ' ', '1') }),
        ),
        { maxLength: 3 },
      ),
      cuts: fc.array(fc.nat(), { maxLength: 10 }),
    });
    fc.assert(
      fc.property(response, (r) => {
        const body = Buffer.from(r.body, 'utf8');
        let text = r.interim ? 'HTTP/1.1 100 Continue\r\n\r\n' : '';
        text += `HTTP/1.1 ${r.status} Whatever\r\n`;
        for (const [name, value] of r.extra) text += `${name}: ${value.trim()}\r\n`;
        if (r.close) text += 'Connection: close\r\n';
        let payload = body;
        if (r.framing === 'length') text += `Content-Length: ${body.length}\r\n`;
        if (r.framing === 'chunked') {
          text += 'Transfer-Encoding: chunked\r\n';
          const parts: Buffer[] = [];
          let at = 0;
          let i = 0;
          while (at < body.length) {
            const size = Math.min(r.chunkSizes[i++ % r.chunkSizes.length]!, body.length - at);
            parts.push(raw(`${size.toString(16)}\r\n`), body.subarray(at, at + size), raw('\r\n'));
            at += size;
          }
          parts.push(raw('0\r\n\r\n'));
          payload = Buffer.concat(parts);
        }
        const bytes = Buffer.concat([raw(`${text}\r\n`), payload]);
        const parsed = parse(bytes, r.cuts, r.framing === 'close');
        expect(parsed).toEqual({
          status: r.status,
          body: r.body,
          keepAlive: !r.close && r.framing !== 'close',
        });
      }),
      { numRuns: 500 },
    );
  });
});
