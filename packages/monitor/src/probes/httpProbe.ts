import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type Clock, systemClock } from '../clock.js';
import { errorMessage } from '../errors.js';
import { judgeHealth } from './judgeHealth.js';
import type { ProbeResult } from './probeResult.js';

/** Options of {@link createHttpProbe}. */
export interface HttpProbeOptions {
  /** The W3 `/health` URL (`http:` or `https:`). */
  url: string;
  /** Deadline of one check, ms. @default 5000 */
  timeoutMs?: number;
  /** A `/health` timestamp older than this is a failed check, ms. @default 60000 */
  staleAfterMs?: number;
  /** Extra request headers (e.g. the server's `headers`). @default {} */
  headers?: Record<string, string>;
  /**
   * Connection pool. Keep-alive, so a check every second reuses one connection per server
   * instead of a TCP handshake each time.
   * @default one keep-alive agent per protocol, shared by every probe of the process
   */
  agent?: HttpAgent;
  /** Largest body read, bytes; a longer one is a failed check. @default 65536 */
  maxBodyBytes?: number;
  /** @default systemClock */
  clock?: Clock;
}

let sharedHttp: HttpAgent | undefined;
let sharedHttps: HttpsAgent | undefined;

/**
 * Probes a W3 `/health` endpoint with `node:http` over a keep-alive agent. Per the W3 contract
 * a timeout, a refused connection, a 5xx (or any non-2xx other than a 503 carrying a valid
 * `down` body; redirects are not followed), a body that fails `health-check.schema.json`, a
 * `down` status or a timestamp older than `staleAfterMs` is a failed check (`down`);
 * `degraded` is a warning. A request on a kept-alive connection that the server closed in the
 * meantime is retried once on a new one. Never rejects.
 */
export function createHttpProbe(
  options: HttpProbeOptions,
): (signal?: AbortSignal) => Promise<ProbeResult> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 5000;
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const url = new URL(options.url);
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  const agent = options.agent ?? defaultAgent(https);
  const requestOptions = {
    agent,
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: { accept: 'application/health+json, application/json', ...options.headers },
    ...((url.username || url.password) && {
      auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`,
    }),
  };

  return (signal) =>
    new Promise<ProbeResult>((resolve) => {
      const started = clock.now();
      let done = false;
      let current: ReturnType<typeof send> | undefined;
      const finish = (fields: Omit<ProbeResult, 'probe' | 'response_time_ms'>) => {
        if (done) return;
        done = true;
        clock.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve({ probe: 'http', response_time_ms: Math.max(0, clock.now() - started), ...fields });
      };
      const fail = (reason: string) => {
        current?.destroy();
        finish({ status: 'down', error: `GET ${options.url}: ${reason}` });
      };
      const timer = clock.setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
      const onAbort = () => fail(errorMessage(signal?.reason ?? 'aborted'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });

      const attempt = (retry: boolean) => {
        const req = send(requestOptions, (res) => read(res));
        current = req;
        req.on('error', (error: NodeJS.ErrnoException) => {
          if (done) return;
          // A kept-alive connection the server closed while idle: not the server's fault.
          if (
            retry &&
            req.reusedSocket &&
            (error.code === 'ECONNRESET' || error.code === 'EPIPE')
          ) {
            attempt(false);
            return;
          }
          fail(describeError(error));
        });
        req.end();
      };

      const read = (res: IncomingMessage) => {
        let text = '';
        let bytes = 0;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          bytes += Buffer.byteLength(chunk);
          if (bytes > maxBodyBytes) {
            res.destroy();
            fail(`HTTP ${res.statusCode}: the body is larger than ${maxBodyBytes} bytes`);
            return;
          }
          text += chunk;
        });
        res.on('end', () =>
          finish(judgeHealth(res.statusCode ?? 0, text, clock.now(), staleAfterMs)),
        );
        res.on('error', (error) => fail(describeError(error)));
        res.on('close', () => {
          if (!res.complete) fail(`HTTP ${res.statusCode}: the connection closed mid-body`);
        });
      };

      attempt(true);
    });
}

function defaultAgent(https: boolean): HttpAgent {
  if (https) {
    sharedHttps ??= new HttpsAgent({ keepAlive: true });
    return sharedHttps;
  }
  sharedHttp ??= new HttpAgent({ keepAlive: true });
  return sharedHttp;
}

function describeError(error: NodeJS.ErrnoException): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code) return `${error.code} (${error.message})`;
  return errorMessage(error);
}
