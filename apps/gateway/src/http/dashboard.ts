import { createHmac } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { type LogEntry, listLogFiles, readLog, type SelfhealEvent } from '@selfheal/events';
import type { ControlReply, ControlRequest } from '@selfheal/monitor';
import { BodyTooLargeError, type OriginPolicy, readBody, rebindingViolation } from './security.js';

/** Where the build puts the bundled page (scripts/buildDashboard.mjs). */
export const DASHBOARD_ASSETS = fileURLToPath(new URL('../dashboard/', import.meta.url));

/** The events the page folds, at most the newest `limit`. */
export interface DashboardEvents {
  /** In time order (stable) from files; in stream order from a fleet's stream. */
  events: SelfhealEvent[];
  /** Older events left out to keep to the limit. */
  truncated: number;
  /**
   * Where they come from: `log`, the gateway's own log (or the replayed files); `stream`, the
   * fleet's NATS stream (RFC 0018), which the live state is the fold of.
   */
  source: 'log' | 'stream';
}

/** The most events the page is sent: it holds and folds them all. */
export const DASHBOARD_EVENTS_LIMIT = 200_000;

/** Options of {@link createDashboard}. */
export interface DashboardOptions {
  /** `live`: a running gateway (stream, actions); `replay`: files (`selfheal replay --serve`). */
  mode: 'live' | 'replay';
  /** The files a replay serves, as given (shown on the page). */
  files?: string[];
  /** Reads the events the page folds (the gateway's log, or the replayed files). */
  events: () => Promise<DashboardEvents>;
  /**
   * Answers an operator action (the gateway's operator handler, as its control socket does);
   * undefined: the page offers none.
   */
  act?: ((request: ControlRequest) => Promise<ControlReply>) | undefined;
  /** @default DASHBOARD_ASSETS */
  assetsDir?: string;
}

/** The page and its API; the caller has already checked auth and rebinding. */
export interface Dashboard {
  /** Answers `req` when `path` is the dashboard's; false when it is not. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean>;
}

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Headers of every dashboard answer: nothing loads from elsewhere, nothing frames the page. */
export const DASHBOARD_HEADERS = {
  'content-security-policy':
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const ACTIONS = new Set(['reset', 'disable', 'enable']);
const MAX_ACTION_BYTES = 4096;

/** Creates the dashboard's routes: `/`, `/dashboard/app.{js,css}`, `/dashboard/api/*`. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const dir = options.assetsDir ?? DASHBOARD_ASSETS;
  const cache = new Map<string, Buffer>();
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', ...DASHBOARD_HEADERS });
    res.end(JSON.stringify(body));
  };
  const asset = async (res: ServerResponse, name: string, type: string, head: boolean) => {
    let body = cache.get(name);
    if (!body) {
      try {
        body = await readFile(`${dir}${name}`);
      } catch {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(
          `The dashboard is not built (${dir}${name} is missing): run the gateway's build (pnpm --filter @selfheal/gateway run build).\n`,
        );
        return;
      }
      cache.set(name, body);
    }
    res.writeHead(200, { 'content-type': type, ...DASHBOARD_HEADERS });
    res.end(head ? undefined : body);
  };
  const action = async (req: IncomingMessage, res: ServerResponse) => {
    if (!options.act) {
      json(res, 404, {
        ok: false,
        error: 'this page serves a replay: there is no server to act on',
      });
      return;
    }
    // A JSON body only: a cross-site form cannot send one without a CORS preflight, which
    // nothing here answers (and the Origin check has refused another site already).
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      json(res, 415, { ok: false, error: 'send the action as application/json' });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, MAX_ACTION_BYTES)).toString('utf8'));
    } catch (error) {
      json(res, error instanceof BodyTooLargeError ? 413 : 400, {
        ok: false,
        error: `the body is not a JSON action: ${(error as Error).message}`,
      });
      return;
    }
    const { action: verb, server, operator } = (body ?? {}) as Record<string, unknown>;
    const problem =
      typeof verb !== 'string' || !ACTIONS.has(verb)
        ? `"action" must be one of reset, disable, enable (got ${JSON.stringify(verb)})`
        : typeof server !== 'string' || server === ''
          ? '"server" must name a server'
          : typeof operator !== 'string' || operator.trim() === '' || operator.length > 100
            ? '"operator" must be your name (1 to 100 characters)'
            : undefined;
    if (problem) {
      json(res, 400, { ok: false, error: problem });
      return;
    }
    const from = req.socket.remoteAddress ?? 'unknown';
    const reply = await options.act({
      action: verb as ControlRequest['action'],
      server: server as string,
      operator: `${(operator as string).trim()} (dashboard, ${from})`,
    });
    json(res, 200, reply);
  };

  return {
    async handle(req, res, path) {
      const method = req.method ?? 'GET';
      const file = ASSETS[path];
      if (file && (method === 'GET' || method === 'HEAD')) {
        await asset(res, file.file, file.type, method === 'HEAD');
        return true;
      }
      if (path === '/dashboard/api/info' && method === 'GET') {
        json(res, 200, {
          mode: options.mode,
          ...(options.files ? { files: options.files } : {}),
          actions: options.act !== undefined,
        });
        return true;
      }
      if (path === '/dashboard/api/events' && method === 'GET') {
        json(res, 200, await options.events());
        return true;
      }
      if (path === '/dashboard/api/action' && method === 'POST') {
        await action(req, res);
        return true;
      }
      return false;
    },
  };
}

/**
 * Reads `files` the way `selfheal replay` orders them: every good event, sorted by timestamp,
 * ties in file order then line order (a stable sort); bad lines are skipped. At most the newest
 * `limit` events are kept.
 */
export async function readEventFiles(
  files: string[],
  limit = DASHBOARD_EVENTS_LIMIT,
): Promise<DashboardEvents> {
  const entries: LogEntry[] = [];
  for (const file of files) {
    for await (const batch of readLog(file, { fields: 'all' })) {
      for (const entry of batch) entries.push(entry);
    }
  }
  entries.sort((a, b) => a.ms - b.ms);
  const truncated = Math.max(0, entries.length - limit);
  return { events: entries.slice(truncated).map((e) => e.event), truncated, source: 'log' };
}

/** Where a live gateway's page reads its history from; see {@link dashboardHistory}. */
export interface HistorySources {
  /**
   * The fleet's stream, when the gateway folds one (RFC 0018): resolves to undefined while
   * NATS is not reached.
   */
  stream?: (() => Promise<DashboardEvents | undefined>) | undefined;
  /** The gateway's own log (its active file): read with its rotated segments. */
  logPath?: string | undefined;
}

/**
 * The live page's history, from the source its live state comes from: in a fleet the gateway
 * shows the fold of the shared stream (`/health/stream` is this replica's events and the other
 * replicas' from the stream), so the history is the stream too, every replica's events, in the
 * stream's order; this replica's own log would leave out the others' outages. Without NATS
 * reached, the own log is all there is, and the answer says so (`source: 'log'`).
 */
export function dashboardHistory(sources: HistorySources): () => Promise<DashboardEvents> {
  return async () => {
    // The stream is the fleet's history when it can be read; a failure falls back to the log.
    const fromStream = await sources.stream?.().catch(() => undefined);
    if (fromStream) return fromStream;
    const path = sources.logPath;
    if (path === undefined) return { events: [], truncated: 0, source: 'log' };
    return readEventFiles((await listLogFiles(path)).filter((file) => existsSync(file)));
  };
}

/**
 * Keeps the newest `limit` of events given in order, in memory bounded by twice the limit (a
 * stream can hold millions), counting the others.
 */
export function createNewestEvents(limit = DASHBOARD_EVENTS_LIMIT) {
  let kept: SelfhealEvent[] = [];
  let dropped = 0;
  return {
    push(event: SelfhealEvent) {
      kept.push(event);
      if (kept.length >= 2 * limit) {
        dropped += kept.length - limit;
        kept = kept.slice(kept.length - limit);
      }
    },
    result(source: DashboardEvents['source']): DashboardEvents {
      const extra = Math.max(0, kept.length - limit);
      return { events: kept.slice(extra), truncated: dropped + extra, source };
    },
  };
}

/**
 * What the dashboard's credential is derived for. The cookie a browser keeps must not be the
 * bearer token itself: a cookie leaks more easily than a header (devtools, a copied profile),
 * and the token also opens `/mcp`. The credential opens the page, its API and the health
 * stream only, and cannot be turned back into the token.
 */
const DASHBOARD_PURPOSE = 'selfheal dashboard credential v1';

/** The dashboard-only credential of `token`: HMAC-SHA256 keyed by the token, hex. */
export function dashboardCredential(token: string): string {
  return createHmac('sha256', token).update(DASHBOARD_PURPOSE).digest('hex');
}

/**
 * The cookie that carries the dashboard's credential, named after the gateway's port: browsers
 * keep cookies per host, not per port, so two gateways on one host (replicas) would otherwise
 * overwrite each other's.
 */
export const dashboardCookie = (port: number | undefined) => `selfheal_dashboard_${port ?? 0}`;

/** The value of this gateway's dashboard cookie in a `Cookie` header; undefined without it. */
export function cookieCredential(
  header: string | undefined,
  port: number | undefined,
): string | undefined {
  if (header === undefined) return undefined;
  const name = dashboardCookie(port);
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * The paths the dashboard's cookie opens: the page, its assets and API, and the health stream
 * it follows. Not `/mcp`, `/metrics` or `/health/ecosystem`: those take the bearer token.
 */
export function isDashboardPath(path: string): boolean {
  return path === '/' || path.startsWith('/dashboard/') || path === '/health/stream';
}

/**
 * `GET /?token=T` on a gateway that requires a token: when T is one, sets its dashboard
 * credential ({@link dashboardCredential}) as an HttpOnly, SameSite=Strict cookie and redirects to `/` (so the token leaves the address bar and the
 * history); otherwise 401. A browser cannot send `Authorization` on a page load or a WebSocket.
 */
export function dashboardLogin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  isToken: (token: string) => boolean,
  policy: OriginPolicy,
): void {
  const violation = rebindingViolation(req, policy);
  const token = url.searchParams.get('token') ?? '';
  if (violation || !isToken(token)) {
    res.writeHead(violation ? 403 : 401, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(
      violation
        ? `Forbidden: ${violation}\n`
        : 'Unauthorized: that token is not one of gateway.auth\n',
    );
    return;
  }
  res.writeHead(303, {
    location: '/',
    'set-cookie': `${dashboardCookie(req.socket.localPort)}=${dashboardCredential(token)}; HttpOnly; SameSite=Strict; Path=/`,
    'cache-control': 'no-store',
  });
  res.end();
}
