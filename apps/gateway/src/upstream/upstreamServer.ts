import type { Client } from '@modelcontextprotocol/client';
import type { ServerHealth } from '@selfheal/events';
import type { Clock } from '@selfheal/internal';
import { EventEmitter } from 'eventemitter3';
import { GATEWAY_LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { GatewayError, GatewayErrorCode } from '../errors.js';
import { answersAgain } from './answersAgain.js';
import { type Catalog, fetchCatalog, type ListMethod } from './catalog.js';
import { describeTarget, reasonOf } from './connectUpstream.js';
import { SharedCalls } from './sharedCalls.js';

/** Where one upstream stands for routing, from the monitor's session and projected health. */
export type UpstreamState =
  | { status: 'connecting'; since: number; attempt: number }
  | { status: 'up'; since: number }
  | {
      status: 'down';
      since: number;
      error: string;
      /** Recovery attempts so far (the projection's `recovery_attempts`). */
      attempt: number;
      /**
       * True once recovery gave up (`recovery_exhausted`) or an operator disabled the server:
       * nothing happens until someone acts. False while the monitor is still recovering it.
       */
      manual: boolean;
    };

/**
 * The gateway's own MCP session with a server. The server's monitor owns it (for stdio, over
 * the process it supervises): `ServerMonitor` from `@selfheal/monitor` is one.
 */
export interface SessionSource {
  /** The live initialised session, if any. */
  readonly client: Client | undefined;
  /** Called with each new session, and with undefined when it closes; returns the unsubscribe. */
  onSession(listener: (client: Client | undefined) => void): () => void;
  /** Asks for a health check now (a client session saw the server fail). */
  requestCheck(): void;
}

/** Events of one upstream (internal; the event log gets the monitor's events instead). */
export interface UpstreamServerEvents {
  status: (state: UpstreamState, previous: UpstreamState) => void;
  /** A new catalog was listed (session opened, reopened, or a list_changed notification). */
  catalog: (catalog: Catalog) => void;
  /** The server said this list changed, and the catalog has been listed again. */
  listChanged: (method: ListMethod) => void;
}

/** Options of {@link createUpstreamServer}. */
export interface UpstreamServerOptions {
  spec: UpstreamSpec;
  clock: Clock;
  /** The monitor's session with this server. */
  source: SessionSource;
  /** The server's projected health now (undefined before its first event). */
  health: () => ServerHealth | undefined;
  /** Deadline of each list request, ms. @default 30000 */
  timeoutMs?: number;
  /** A catalog known from before (e.g. a previous run), served while the server is down. */
  initialCatalog?: Catalog;
  /**
   * How many client sessions of their own (RFC 0010) may be open with this server at once.
   * @default 64
   */
  maxClientSessions?: number;
}

/** A slot of the server's bound on per-client sessions; release it when the session closes. */
export type ClientSessionSlot = () => void;

/**
 * One configured upstream server as routing sees it: its state (from the monitor's health
 * events and session), and its last known good catalog, listed over the monitor's session
 * each time one opens (so a restarted process is listed again) and on `list_changed`.
 * Recovery is the monitor's alone: there is no reconnect loop here (RFC 0008).
 */
export interface UpstreamServer extends EventEmitter<UpstreamServerEvents> {
  readonly spec: UpstreamSpec;
  readonly state: UpstreamState;
  /** The last known good catalog, or undefined if the server was never listed. */
  readonly catalog: Catalog | undefined;
  /**
   * The shared connection (RFC 0010): the monitor's live session with the server, over which
   * every client's requests go unless a client needs a session of its own. Undefined while none
   * is open.
   */
  readonly client: Client | undefined;
  /** The client calls in flight on the shared connection, and its routing of what the server sends. */
  readonly shared: SharedCalls;
  /** The catalog if it was listed on the current session (so `list_changed` keeps it fresh). */
  liveCatalog(): Catalog | undefined;
  /**
   * The shared session: the current one, else the next one the monitor opens (a restart),
   * other than `not` (a session that just broke). Rejects when `signal` aborts, after
   * `waitMs`, and while the server is down: at once, or with `not` (a request to send again
   * on the next session) only once recovery needs an operator.
   * @throws GatewayError(UPSTREAM_UNAVAILABLE) naming the server and why.
   */
  session(signal: AbortSignal | undefined, waitMs: number, not?: Client): Promise<Client>;
  /** Client sessions of their own open with this server now. */
  readonly clientSessions: number;
  /**
   * Whether the server speaks MCP 2026-07-28 too, as last probed: stateless callers' requests
   * then go to it as they came, statelessly (RFC 0013).
   */
  readonly speaksStateless: boolean;
  /** Records what the server's transport found out about its revision (a stdio server's). */
  noteStateless(stateless: boolean): void;
  /**
   * Takes a slot for a client session of its own.
   * @throws GatewayError(CLIENT_SESSIONS_EXHAUSTED) past the bound, naming it and the fix.
   */
  acquireClientSession(): ClientSessionSlot;
  /** Resolves once the catalog of the current session (if any) is listed or failed. */
  start(): Promise<void>;
  /** Recomputes the state after a health event of this server; emits `status` on a change. */
  sync(): void;
  /** Tells the server a client-session connection failed: the monitor checks it now. */
  reportFailure(error: unknown): Promise<void>;
  /** One sentence for callers: which server, since when, why, and what is being done. */
  describeUnavailable(): string;
  /** Stops following the monitor's session. Idempotent. */
  stop(): Promise<void>;
}

/** Creates an {@link UpstreamServer} following `source` (the server's monitor). */
export function createUpstreamServer(options: UpstreamServerOptions): UpstreamServer {
  const { spec, clock, source } = options;
  const timeoutMs = options.timeoutMs ?? GATEWAY_LIBRARY_DEFAULTS.requestTimeoutMs;
  const maxClientSessions = options.maxClientSessions ?? GATEWAY_LIBRARY_DEFAULTS.maxClientSessions;
  let clientSessions = 0;
  let speaksStateless = false;
  const shared = new SharedCalls(spec.name);
  const waiters = new Set<(stopping?: boolean) => void>();
  const emitter = new EventEmitter<UpstreamServerEvents>();
  let state: UpstreamState = { status: 'connecting', since: clock.now(), attempt: 0 };
  let catalog = options.initialCatalog;
  let client: Client | undefined;
  /** The session whose catalog is listed: `up` needs one. */
  let listed: Client | undefined;
  let listing: Promise<void> = Promise.resolve();
  /** When the current session opened (epoch ms): a session newer than an outage answers. */
  let openedAt: number | undefined;
  let stopped = false;

  const setState = (next: UpstreamState) => {
    const previous = state;
    state = next;
    // Waiters for whom no session is coming (see `session`) are told at once.
    if (next.status === 'down') for (const wake of [...waiters]) wake();
    emitter.emit('status', next, previous);
  };

  const compute = (): UpstreamState => {
    const health = options.health();
    const since = (iso: string | undefined) => (iso ? Date.parse(iso) : clock.now());
    if (health?.lifecycle === 'disabled')
      return {
        status: 'down',
        since: since(health.updated_at),
        error: 'disabled by an operator',
        attempt: health.recovery_attempts,
        manual: true,
      };
    // Routing follows the upstream's answers, not the W3 success threshold (RFC 0008).
    const answers =
      health !== undefined &&
      listed !== undefined &&
      listed === client &&
      answersAgain(health, openedAt);
    if (health && (health.status === 'down' || health.lifecycle === 'failed') && !answers)
      return {
        status: 'down',
        since: since(health.status_since),
        error: health.error ?? 'down',
        attempt: health.recovery_attempts,
        manual: health.requires_manual || health.lifecycle === 'failed',
      };
    if (listed !== undefined && listed === client) return { status: 'up', since: clock.now() };
    return { status: 'connecting', since: clock.now(), attempt: health?.recovery_attempts ?? 0 };
  };

  const sync = () => {
    if (stopped) return;
    const next = compute();
    const same =
      next.status === state.status &&
      (next.status !== 'down' ||
        (state.status === 'down' &&
          next.error === state.error &&
          next.manual === state.manual &&
          next.attempt === state.attempt));
    if (!same) setState(next);
  };

  /** Bumped per listing: only the newest one may become the catalog. */
  let generation = 0;
  /** The newest listing: an older one that finishes later waits for it instead. */
  let newest: Promise<void> = Promise.resolve();
  const refreshCatalog = (c: Client): Promise<void> => {
    newest = listCatalog(c, ++generation);
    return newest;
  };
  const listCatalog = async (c: Client, mine: number) => {
    try {
      const next = await fetchCatalog(c, clock.now(), { timeout: timeoutMs });
      // Overtaken by a newer listing (a list change meanwhile): that one's answer stands, and
      // whoever waits for this one (start()) waits for it.
      if (mine !== generation) return newest;
      if (c !== client || stopped) return;
      catalog = next;
      listed = c;
      emitter.emit('catalog', next);
    } catch {
      // The monitor's checks judge the server; a failed list keeps the last good catalog.
    }
    sync();
  };

  const follow = (next: Client | undefined) => {
    if (stopped || next === client) return;
    client = next;
    listed = undefined;
    openedAt = next ? clock.now() : undefined;
    if (next) {
      // Usually installed before the handshake (the gateway's session profile); a source that
      // did not (a test's) gets the handlers here.
      shared.install(next);
      listing = refreshCatalog(next);
      for (const wake of [...waiters]) wake();
    }
    sync();
  };
  const unfollow = source.onSession(follow);
  // Lists change rarely and every session is told: one re-list, then one notification each.
  // A change that arrives while a listing is under way (which may hold the old answer) is
  // listed again after it; every session hears of each list once the catalog has it.
  let relisting = false;
  const changed = new Set<ListMethod>();
  const onListChanged = async (method: ListMethod) => {
    changed.add(method);
    if (relisting) return;
    relisting = true;
    try {
      while (changed.size > 0 && client !== undefined && !stopped) {
        const methods = [...changed];
        changed.clear();
        await refreshCatalog(client);
        for (const m of methods) emitter.emit('listChanged', m);
      }
    } finally {
      relisting = false;
      changed.clear();
    }
  };
  shared.on('listChanged', onListChanged);

  const waitForSession = (
    signal: AbortSignal | undefined,
    waitMs: number,
    not?: Client,
  ): Promise<Client> => {
    if (client !== undefined && client !== not) return Promise.resolve(client);
    // A request that was in flight when its session broke waits for the monitor's restart; a
    // new one is refused at once, so that fallbacks and breakers see the server down.
    const gives = (s: UpstreamState) => s.status === 'down' && (not === undefined || s.manual);
    if (gives(state) || stopped) return Promise.reject(unavailable());
    return new Promise<Client>((resolve, reject) => {
      const done = () => {
        waiters.delete(wake);
        clock.clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
      };
      const wake = (stopping = false) => {
        if (stopping || gives(state)) {
          done();
          reject(unavailable());
          return;
        }
        if (client === undefined || client === not) return;
        done();
        resolve(client);
      };
      const abort = () => {
        done();
        reject(signal?.reason ?? unavailable());
      };
      const timer = clock.setTimeout(() => {
        done();
        reject(unavailable(`no session opened within ${waitMs} ms`));
      }, waitMs);
      waiters.add(wake);
      signal?.addEventListener('abort', abort, { once: true });
    });
  };

  const unavailable = (why?: string) =>
    new GatewayError(
      GatewayErrorCode.UpstreamUnavailable,
      why === undefined || state.status === 'down'
        ? server.describeUnavailable()
        : `server "${spec.name}" (${describeTarget(spec)}): ${why}.`,
      {
        data: {
          server: spec.name,
          status: state.status,
          since: new Date(state.since).toISOString(),
        },
      },
    );

  const server = emitter as UpstreamServer;
  Object.defineProperties(server, {
    spec: { value: spec },
    state: { get: () => state },
    catalog: { get: () => catalog },
    client: { get: () => client },
    shared: { value: shared },
    clientSessions: { get: () => clientSessions },
    speaksStateless: { get: () => speaksStateless },
  });
  Object.assign(server, {
    liveCatalog: () => (listed !== undefined && listed === client ? catalog : undefined),
    noteStateless(stateless: boolean) {
      speaksStateless = stateless;
    },
    session: waitForSession,
    acquireClientSession() {
      if (clientSessions >= maxClientSessions)
        throw new GatewayError(
          GatewayErrorCode.ClientSessionsExhausted,
          `server "${spec.name}": ${clientSessions} client sessions of their own are open, the most "gateway.client_sessions.max_per_server" allows (${maxClientSessions}); such a session is opened for a client that sets a log level or subscribes to resources, or for every client where the server has "session": "per_client". Raise the bound, shorten "idle_timeout_seconds", or share the server's connection.`,
          { data: { server: spec.name, open: clientSessions, max: maxClientSessions } },
        );
      clientSessions++;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        clientSessions--;
      };
    },
    async start() {
      follow(source.client);
      await listing;
    },
    sync,
    async reportFailure(_error: unknown) {
      if (!stopped) source.requestCheck();
    },
    describeUnavailable() {
      const target = describeTarget(spec);
      if (state.status === 'connecting')
        return `server "${spec.name}" (${target}) is still starting (since ${iso(state.since)}); try again shortly.`;
      if (state.status === 'up')
        return `server "${spec.name}" (${target}) did not answer this session; the monitor sees it up, so the next call reconnects.`;
      const attempts = `${state.attempt} attempt${state.attempt === 1 ? '' : 's'}`;
      const action =
        state.error === 'disabled by an operator'
          ? `it stays down until an operator runs \`selfheal monitor enable ${spec.name}\` on the gateway's host.`
          : state.manual
            ? `recovery stopped after ${attempts}; it waits for an operator (fix the server, then \`selfheal monitor reset ${spec.name}\` on the gateway's host starts it again).`
            : `the monitor is recovering it (${attempts} so far).`;
      return `server "${spec.name}" (${target}) is down since ${iso(state.since)} (${reasonOf(state.error)}); ${action}`;
    },
    async stop() {
      stopped = true;
      unfollow();
      shared.off('listChanged', onListChanged);
      client = undefined;
      listed = undefined;
      for (const wake of [...waiters]) wake(true);
    },
  });
  return server;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
