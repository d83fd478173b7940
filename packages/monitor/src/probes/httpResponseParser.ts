/** A complete HTTP/1.x response as the `/health` probe needs it. */
export interface ParsedResponse {
  /** The status code. */
  status: number;
  /** The body, decoded as UTF-8. */
  body: string;
  /** The connection may carry the next request (HTTP/1.1 without `Connection: close`). */
  keepAlive: boolean;
}

/** Options of {@link createResponseParser}. */
export interface ResponseParserOptions {
  /** Largest body, bytes. @default 65536 */
  maxBodyBytes?: number;
  /** Largest status line and headers, bytes. @default 16384 */
  maxHeaderBytes?: number;
}

/** An incremental parser of one HTTP/1.x response. */
export interface ResponseParser {
  /**
   * Feeds the next bytes read. Returns the response once complete, `undefined` while more is
   * needed. @throws Error with a message naming what is malformed or too large.
   */
  push(chunk: Buffer): ParsedResponse | undefined;
  /**
   * The connection closed: completes a body delimited by the close.
   * @throws Error when the response was cut short.
   */
  end(): ParsedResponse;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: [^\r\n]*)?$/;
const HEADER = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*(.*?)[ \t]*$/;
const CHUNK_SIZE = /^([0-9A-Fa-f]{1,8})[ \t]*(?:;.*)?$/;

type Framing =
  | { kind: 'length'; remaining: number }
  | { kind: 'chunked'; state: 'size' | 'data' | 'data-end' | 'trailer'; remaining: number }
  | { kind: 'close' };

/**
 * Creates a parser of one HTTP/1.0 or 1.1 response to a GET, per RFC 9112: the body framed by
 * `Transfer-Encoding: chunked` (extensions and trailers skipped), `Content-Length`, or the
 * connection's close; 1xx interim responses skipped; 204 and 304 without a body. It is the
 * small subset a health probe needs, written because `node:http` costs about three times the
 * CPU per request (RFC 0007); anything outside that subset is an error, never a guess.
 */
export function createResponseParser(options: ResponseParserOptions = {}): ResponseParser {
  const maxBody = options.maxBodyBytes ?? 65_536;
  const maxHead = options.maxHeaderBytes ?? 16_384;
  let buffer: Buffer = Buffer.alloc(0);
  let head: { status: number; keepAlive: boolean; framing: Framing } | undefined;
  const body: Buffer[] = [];
  let bodyBytes = 0;

  const addBody = (part: Buffer) => {
    bodyBytes += part.length;
    if (bodyBytes > maxBody) throw new Error(`the body is larger than ${maxBody} bytes`);
    body.push(part);
  };

  const done = (keepAlive: boolean): ParsedResponse => ({
    status: head!.status,
    body: Buffer.concat(body).toString('utf8'),
    // Bytes after the response (nothing was pipelined) make the connection unusable.
    keepAlive: keepAlive && buffer.length === 0,
  });

  /** Parses the head when complete; returns false while more bytes are needed. */
  const parseHead = (): boolean => {
    for (;;) {
      const end = buffer.indexOf(HEAD_END);
      if (end < 0) {
        if (buffer.length > maxHead) throw new Error(`headers larger than ${maxHead} bytes`);
        return false;
      }
      if (end > maxHead) throw new Error(`headers larger than ${maxHead} bytes`);
      const lines = buffer.subarray(0, end).toString('latin1').split('\r\n');
      buffer = buffer.subarray(end + 4);
      const statusLine = STATUS_LINE.exec(lines[0]!);
      if (!statusLine) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify(lines[0])}`);
      const http11 = statusLine[1] === '1';
      const status = Number(statusLine[2]);
      if (status >= 100 && status < 200) {
        if (status === 101) throw new Error('the server switched protocols (101)');
        continue; // an interim response: the real one follows
      }
      let length: number | undefined;
      let chunked = false;
      let otherCoding = false;
      let connection = '';
      for (const line of lines.slice(1)) {
        const header = HEADER.exec(line);
        if (!header) throw new Error(`malformed header line: ${JSON.stringify(line)}`);
        const name = header[1]!.toLowerCase();
        const value = header[2]!;
        if (name === 'content-length') {
          if (!/^\d{1,15}$/.test(value)) throw new Error(`bad Content-Length: ${value}`);
          if (length !== undefined && length !== Number(value)) {
            throw new Error('conflicting Content-Length headers');
          }
          length = Number(value);
        } else if (name === 'transfer-encoding') {
          const codings = value.toLowerCase().split(',');
          chunked = codings.at(-1)!.trim() === 'chunked';
          otherCoding = !chunked;
        } else if (name === 'connection') {
          connection += `,${value.toLowerCase()}`;
        }
      }
      const tokens = connection.split(',').map((t) => t.trim());
      const keepAlive = http11 ? !tokens.includes('close') : tokens.includes('keep-alive');
      let framing: Framing;
      if (status === 204 || status === 304) framing = { kind: 'length', remaining: 0 };
      else if (chunked) framing = { kind: 'chunked', state: 'size', remaining: 0 };
      else if (otherCoding) framing = { kind: 'close' };
      else if (length !== undefined) framing = { kind: 'length', remaining: length };
      else framing = { kind: 'close' };
      if (framing.kind === 'length' && framing.remaining > maxBody) {
        throw new Error(`the body is larger than ${maxBody} bytes`);
      }
      head = { status, keepAlive: keepAlive && framing.kind !== 'close', framing };
      return true;
    }
  };

  /** Consumes body bytes; returns true once the body is complete. */
  const parseBody = (): boolean => {
    const framing = head!.framing;
    if (framing.kind === 'close') {
      if (buffer.length > 0) addBody(buffer);
      buffer = Buffer.alloc(0);
      return false;
    }
    if (framing.kind === 'length') {
      const take = Math.min(framing.remaining, buffer.length);
      if (take > 0) addBody(buffer.subarray(0, take));
      buffer = buffer.subarray(take);
      framing.remaining -= take;
      return framing.remaining === 0;
    }
    for (;;) {
      if (framing.state === 'data') {
        const take = Math.min(framing.remaining, buffer.length);
        if (take > 0) addBody(buffer.subarray(0, take));
        buffer = buffer.subarray(take);
        framing.remaining -= take;
        if (framing.remaining > 0) return false;
        framing.state = 'data-end';
      }
      const eol = buffer.indexOf(CRLF);
      if (eol < 0) {
        if (buffer.length > maxHead) throw new Error('chunk framing line too long');
        return false;
      }
      const line = buffer.subarray(0, eol).toString('latin1');
      buffer = buffer.subarray(eol + 2);
      if (framing.state === 'data-end') {
        if (line !== '') throw new Error('chunk data longer than its size');
        framing.state = 'size';
      } else if (framing.state === 'size') {
        const size = CHUNK_SIZE.exec(line);
        if (!size) throw new Error(`bad chunk size line: ${JSON.stringify(line)}`);
        framing.remaining = Number.parseInt(size[1]!, 16);
        framing.state = framing.remaining === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        return true; // the empty line after the trailers
      }
    }
  };

  return {
    push(chunk) {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      if (!head && !parseHead()) return undefined;
      return parseBody() ? done(head!.keepAlive) : undefined;
    },
    end() {
      if (head?.framing.kind === 'close') return done(false);
      throw new Error(
        head
          ? 'the connection closed before the body ended'
          : 'the connection closed before a response',
      );
    },
  };
}
