import type { ClientRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Clock } from '@selfheal/internal';
import { monitorClock } from '../clock.js';
import { LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import { errorMessage } from '../errors.js';
import { createHealthConnection, type HealthRequestError } from './healthConnection.js';
import type { ParsedResponse } from './httpResponseParser.js';
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
   * `https:` only: the connection pool. (`http:` keeps one connection of its own per probe.)
   * @default one keep-alive agent shared by every probe of the process
   */
  agent?: HttpsAgent;
  /** Largest body read, bytes; a longer one is a failed check. @default 65536 */
  maxBodyBytes?: number;
  /** @default monitorClock */
  clock?: Clock;
}

/**
 * Probes a W3 `/health` endpoint. Per the W3 contract a timeout, a refused connection, a 5xx
 * (or any non-2xx other than a 503 carrying a valid `down` body; redirects are not followed),
 * a body that fails `health-check.schema.json`, a `down` status or a timestamp older than
 * `staleAfterMs` is a failed check (`down`); `degraded` is a warning. Never rejects.
 *
 * `http:` goes over one kept-alive connection of {@link createHealthConnection} (a third of
 * the CPU of `node:http` per request, RFC 0007); `https:` over `node:https` with a keep-alive
 * agent. A kept-alive connection that the server closed while idle is retried once.
 */
export function createHttpProbe(
  options: HttpProbeOptions,
): (signal?: AbortSignal) => Promise<ProbeResult> {
  const clock = options.clock ?? monitorClock;
  const timeoutMs = options.timeoutMs ?? LIBRARY_DEFAULTS.health_check.timeout_seconds * 1000;
  const staleAfterMs =
    options.staleAfterMs ?? LIBRARY_DEFAULTS.health_check.stale_after_seconds * 1000;
  const maxBodyBytes = options.maxBodyBytes ?? 65_536;
  const url = new URL(options.url);
  let get: (() => Promise<ParsedResponse>) | undefined;
  let abort: (reason: Error) => void = () => {};
  let setupError: string | undefined;
  try {
    if (url.protocol === 'https:') {
      ({ get, abort } = createHttpsRequester(url, options, maxBodyBytes));
    } else {
      const connection = createHealthConnection({
        url,
        maxBodyBytes,
        ...(options.headers && { headers: options.headers }),
      });
      get = () => connection.get();
      abort = (reason) => connection.abort(reason);
    }
  } catch (error) {
    setupError = errorMessage(error);
  }

  return async (signal) => {
    const started = clock.now();
    const result = (fields: Omit<ProbeResult, 'probe' | 'response_time_ms'>): ProbeResult => ({
      probe: 'http',
      response_time_ms: Math.max(0, clock.now() - started),
      ...fields,
    });
    if (!get) return result({ status: 'down', error: `GET ${options.url}: ${setupError}` });
    if (signal?.aborted) {
      return result({
        status: 'down',
        error: `GET ${options.url}: ${errorMessage(signal.reason)}`,
      });
    }
    const timer = clock.setTimeout(
      () => abort(new Error(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onAbort = () => abort(new Error(errorMessage(signal?.reason ?? 'aborted')));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await get();
      return result(judgeHealth(response.status, response.body, clock.now(), staleAfterMs));
    } catch (error) {
      return result({
        status: 'down',
        error: `GET ${options.url}: ${describeError(error as HealthRequestError)}`,
      });
    } finally {
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

let sharedHttps: HttpsAgent | undefined;

/** `https:` through `node:https` and a keep-alive agent, with the same contract as a connection. */
function createHttpsRequester(url: URL, options: HttpProbeOptions, maxBodyBytes: number) {
  sharedHttps ??= new HttpsAgent({ keepAlive: true });
  const agent = options.agent ?? sharedHttps;
  let current: ClientRequest | undefined;
  let fail: ((error: Error) => void) | undefined;
  const get = () =>
    new Promise<ParsedResponse>((resolve, reject) => {
      fail = reject;
      const attempt = (retry: boolean) => {
        const req = httpsRequest(
          url,
          {
            agent,
            headers: { accept: 'application/health+json, application/json', ...options.headers },
          },
          (res) => {
            const chunks: Buffer[] = [];
            let bytes = 0;
            res.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              if (bytes > maxBodyBytes) {
                req.destroy();
                reject(new Error(`the body is larger than ${maxBodyBytes} bytes`));
              } else chunks.push(chunk);
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                keepAlive: true,
              }),
            );
            res.on('close', () => {
              if (!res.complete) reject(new Error('the connection closed before the body ended'));
            });
          },
        );
        current = req;
        req.on('error', (error: HealthRequestError) => {
          if (
            retry &&
            req.reusedSocket &&
            (error.code === 'ECONNRESET' || error.code === 'EPIPE')
          ) {
            attempt(false);
          } else reject(error);
        });
        req.end();
      };
      attempt(true);
    });
  const abort = (reason: Error) => {
    current?.destroy();
    fail?.(reason);
  };
  return { get, abort };
}

function describeError(error: HealthRequestError): string {
  if (error.code === 'ECONNREFUSED') return 'connection refused';
  if (error.code) return `${error.code} (${error.message})`;
  return errorMessage(error);
}
