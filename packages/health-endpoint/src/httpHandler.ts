import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Clock } from '@selfheal/internal';
import type { HealthCheckResponse } from '@selfheal/schemas';

/** The media type of the W3 health answer (draft-inadarei-api-health-check). */
export const HEALTH_MEDIA_TYPE = 'application/health+json';

/** Media ranges of an `Accept` header, lower-cased, without parameters; `q=0` ranges dropped. */
export function acceptedTypes(accept: string | string[] | undefined): string[] {
  const text = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return text
    .split(',')
    .map((part) => part.split(';').map((s) => s.trim().toLowerCase()))
    .filter(([type, ...params]) => type && !params.some((p) => /^q=0(\.0*)?$/.test(p)))
    .map(([type]) => type!);
}

/**
 * Whether `req` is for the health endpoint: any method on `path` (non-GET gets 405), or
 * `GET`/`HEAD /` whose `Accept` lists `application/health+json`.
 */
export function isHealthRequest(req: IncomingMessage, path: string): boolean {
  const pathname = (req.url ?? '/').split('?', 1)[0];
  if (pathname === path) return true;
  return (
    pathname === '/' &&
    (req.method === 'GET' || req.method === 'HEAD') &&
    acceptedTypes(req.headers.accept).includes(HEALTH_MEDIA_TYPE)
  );
}

/**
 * The response media type: `application/health+json`, unless the client accepts
 * `application/json` and not the health type, in which case `application/json`.
 */
export function responseMediaType(req: IncomingMessage): string {
  const types = acceptedTypes(req.headers.accept);
  return types.includes('application/json') && !types.includes(HEALTH_MEDIA_TYPE)
    ? 'application/json'
    : HEALTH_MEDIA_TYPE;
}

/**
 * Writes the health answer for `req`. Never throws and never rejects: if evaluation fails
 * unexpectedly the answer is a schema-valid `down` body with 503.
 */
export function answerHealth(
  req: IncomingMessage,
  res: ServerResponse,
  evaluate: () => Promise<{ body: HealthCheckResponse; httpStatus: number }>,
  clock: Clock,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(
      req,
      res,
      405,
      'application/json',
      { error: `use GET or HEAD for the health endpoint` },
      {
        Allow: 'GET, HEAD',
      },
    );
    return;
  }
  const type = responseMediaType(req);
  evaluate().then(
    ({ body, httpStatus }) => send(req, res, httpStatus, type, body),
    () =>
      send(req, res, 503, type, {
        status: 'down',
        timestamp: new Date(clock.now()).toISOString(),
        uptime_seconds: 0,
        error: 'health evaluation failed',
      }),
  );
}

/** A JSON 404 that points at the health path (the standalone listener's default). */
export function notFound(res: ServerResponse, path: string): void {
  const body = JSON.stringify({ error: `not found; the health endpoint is GET ${path}` });
  res.writeHead(404, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  type: string,
  body: unknown,
  extra: Record<string, string> = {},
): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': `${type}; charset=utf-8`,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(req.method === 'HEAD' ? undefined : text);
}
