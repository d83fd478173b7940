import { connect, type Socket } from 'node:net';
import { createResponseParser, type ParsedResponse } from './httpResponseParser.js';

/** Options of {@link createHealthConnection}. */
export interface HealthConnectionOptions {
  /** An `http:` URL; its path and query are requested. */
  url: URL;
  /** Extra request headers. @default {} */
  headers?: Record<string, string>;
  /** Largest body read, bytes. @default 65536 */
  maxBodyBytes?: number;
}

/** An error of one request; `code` is the socket's (`ECONNREFUSED`, ...) when there is one. */
export type HealthRequestError = Error & { code?: string };

/** One kept-alive HTTP/1.1 connection to a `/health` endpoint, one GET at a time. */
export interface HealthConnection {
  /**
   * Sends the GET and resolves to the response. On a connection kept from a previous request
   * that the server has closed meanwhile (nothing read yet), it retries once on a new
   * connection. Rejects with a {@link HealthRequestError}. One request at a time: a second
   * `get` while one runs rejects.
   */
  get(): Promise<ParsedResponse>;
  /** Aborts the request in flight (it rejects with `reason`) and drops the connection. */
  abort(reason: Error): void;
  /** Drops the connection; the next `get` opens a new one. */
  close(): void;
}

/**
 * Creates a {@link HealthConnection} over `node:net`: the request is one prebuilt buffer and
 * the response goes through {@link createResponseParser}. The socket is `unref`'d, so an idle
 * connection never keeps the process alive.
 * @throws Error for a URL that is not `http:` or a header that could split the request.
 */
export function createHealthConnection(options: HealthConnectionOptions): HealthConnection {
  const { url } = options;
  if (url.protocol !== 'http:') throw new Error(`not an http: URL: ${url.href}`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const port = Number(url.port || 80);
  const headers: Record<string, string> = {
    host: url.host,
    accept: 'application/health+json, application/json',
    ...(url.username || url.password
      ? {
          authorization: `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`,
        }
      : {}),
    ...options.headers,
  };
  let text = `GET ${url.pathname}${url.search} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name) || /[\r\n\0]/.test(value)) {
      throw new Error(`header ${JSON.stringify(name)} is not a valid HTTP header`);
    }
    text += `${name}: ${value}\r\n`;
  }
  const request = Buffer.from(`${text}\r\n`, 'latin1');
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;

  let socket: Socket | undefined;
  let pending:
    | {
        resolve: (response: ParsedResponse) => void;
        reject: (error: HealthRequestError) => void;
        parser: ReturnType<typeof createResponseParser>;
        reused: boolean;
        received: boolean;
      }
    | undefined;

  const drop = () => {
    const s = socket;
    socket = undefined;
    s?.destroy();
  };

  const settle = (outcome: { response: ParsedResponse } | { error: HealthRequestError }) => {
    const p = pending;
    pending = undefined;
    if (!p) return;
    if ('response' in outcome) p.resolve(outcome.response);
    else p.reject(outcome.error);
  };

  const open = (): Socket => {
    const s = connect({ host, port });
    s.setNoDelay(true);
    s.unref();
    s.on('data', (chunk: Buffer) => {
      if (s !== socket) return;
      if (!pending) {
        drop(); // bytes nobody asked for: the connection cannot be trusted
        return;
      }
      pending.received = true;
      let response: ParsedResponse | undefined;
      try {
        response = pending.parser.push(chunk);
      } catch (error) {
        drop();
        settle({ error: error as Error });
        return;
      }
      if (!response) return;
      if (!response.keepAlive) drop();
      settle({ response });
    });
    s.on('error', (error: HealthRequestError) => closed(s, error));
    s.on('close', () => closed(s, undefined));
    return s;
  };

  const closed = (s: Socket, error: HealthRequestError | undefined) => {
    if (s !== socket) return;
    socket = undefined;
    s.destroy();
    const p = pending;
    if (!p) return;
    // A kept-alive connection the server closed while idle: not the server's fault.
    if (p.reused && !p.received) {
      p.reused = false;
      send();
      return;
    }
    if (error) {
      settle({ error });
      return;
    }
    try {
      settle({ response: p.parser.end() });
    } catch (cause) {
      settle({ error: cause as Error });
    }
  };

  const send = () => {
    if (!socket) socket = open();
    else pending!.reused = true;
    socket.write(request);
  };

  return {
    get() {
      if (pending) return Promise.reject(new Error('a request is already in flight'));
      return new Promise<ParsedResponse>((resolve, reject) => {
        pending = {
          resolve,
          reject,
          parser: createResponseParser({ maxBodyBytes }),
          reused: false,
          received: false,
        };
        send();
      });
    },
    abort(reason) {
      drop();
      settle({ error: reason });
    },
    close() {
      drop();
    },
  };
}
