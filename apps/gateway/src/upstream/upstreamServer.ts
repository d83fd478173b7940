import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import { EventEmitter } from 'eventemitter3';
import type { Clock } from '../clock.js';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { type Catalog, fetchCatalog } from './catalog.js';
import { connectUpstream, describeTarget, reasonOf } from './connectUpstream.js';
import type { TransportFactory } from './transportFactory.js';

/** Where one upstream stands, as the gateway's own connection to it sees it. */
export type UpstreamState =
  | { status: 'connecting'; since: number; attempt: number }
  | { status: 'up'; since: number }
  | {
      status: 'down';
      since: number;
      error: string;
      /** Failed reconnects so far. */
      attempt: number;
      /** Epoch ms of the next reconnect, or undefined once attempts are exhausted. */
      retryAt?: number;
    };

/** Events of one upstream (internal; the event log gets them through the gateway). */
export interface UpstreamServerEvents {
  status: (state: UpstreamState, previous: UpstreamState) => void;
  /** A new catalog was listed (first connect, reconnect, or a list_changed notification). */
  catalog: (catalog: Catalog) => void;
  /** Reconnect `attempt` (1-based) starts, after waiting `delayMs`. */
  reconnecting: (attempt: number, delayMs: number) => void;
}

/** Options of {@link createUpstreamServer}. */
export interface UpstreamServerOptions {
  spec: UpstreamSpec;
  factory: TransportFactory;
  clock: Clock;
  clientInfo: Implementation;
  /** Delay before reconnect `attempt` (1-based), ms. */
  backoff: (attempt: number) => number;
  /** Reconnects tried before waiting for an operator. @default 5 */
  maxAttempts?: number;
  /** Deadline of the handshake and of each list request, ms. @default 30000 */
  timeoutMs?: number;
  /** A catalog known from before (e.g. a previous run), served while the server is down. */
  initialCatalog?: Catalog;
}

/**
 * One configured upstream server: the gateway's own connection to it (no client capabilities;
 * used to list the catalog and notice failure), its state, and its last known good catalog.
 * Client sessions open their own connections (see RFC 0006); they report failures here.
 */
export interface UpstreamServer extends EventEmitter<UpstreamServerEvents> {
  readonly spec: UpstreamSpec;
  readonly state: UpstreamState;
  /** The last known good catalog, or undefined if the server was never reached. */
  readonly catalog: Catalog | undefined;
  /** Connects; resolves once the first attempt has succeeded or failed (never rejects). */
  start(): Promise<void>;
  /**
   * Tells the server a client-session connection failed with `error`. If the gateway's own
   * connection cannot ping it either, the server is marked down and reconnects begin.
   */
  reportFailure(error: unknown): Promise<void>;
  /** One sentence for callers: which server, since when, why, and what is being done. */
  describeUnavailable(): string;
  /** Closes the connection and cancels pending reconnects. Idempotent. */
  stop(): Promise<void>;
}

/** Creates an {@link UpstreamServer}; call `start()` to connect. */
export function createUpstreamServer(options: UpstreamServerOptions): UpstreamServer {
  const { spec, factory, clock, clientInfo, backoff } = options;
  const maxAttempts = options.maxAttempts ?? 5;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const emitter = new EventEmitter<UpstreamServerEvents>();
  let state: UpstreamState = { status: 'connecting', since: clock.now(), attempt: 0 };
  let catalog = options.initialCatalog;
  let client: Client | undefined;
  let timer: unknown;
  let stopped = false;

  const setState = (next: UpstreamState) => {
    const previous = state;
    state = next;
    emitter.emit('status', next, previous);
  };

  const refreshCatalog = async (c: Client) => {
    const next = await fetchCatalog(c, clock.now(), { timeout: timeoutMs });
    if (c !== client) return;
    catalog = next;
    emitter.emit('catalog', next);
  };

  const markDown = (error: unknown, attempt: number) => {
    if (stopped) return;
    const retry = attempt < maxAttempts;
    const since = state.status === 'down' ? state.since : clock.now();
    const delay = backoff(attempt + 1);
    setState({
      status: 'down',
      since,
      error: reasonOf(error),
      attempt,
      retryAt: retry ? clock.now() + delay : undefined,
    });
    if (retry)
      timer = clock.setTimeout(() => {
        emitter.emit('reconnecting', attempt + 1, delay);
        void connect(attempt + 1);
      }, delay);
  };

  const connect = async (attempt: number): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    if (state.status !== 'down') setState({ status: 'connecting', since: clock.now(), attempt });
    let c: Client | undefined;
    try {
      const connection = await connectUpstream(spec, {
        factory,
        clientInfo,
        timeoutMs,
        configure: (candidate) => {
          candidate.fallbackNotificationHandler = async (notification) => {
            if (notification.method.endsWith('/list_changed') && candidate === client)
              await refreshCatalog(candidate).catch(() => {});
          };
        },
      });
      c = connection.client;
      if (stopped) {
        await c.close();
        return;
      }
      client = c;
      await refreshCatalog(c);
    } catch (error) {
      if (c) {
        if (client === c) client = undefined;
        await c.close().catch(() => {});
      }
      markDown(error, attempt);
      return;
    }
    c.onclose = () => {
      if (client !== c || stopped) return;
      client = undefined;
      markDown(new Error('the connection closed (process exited or stream ended)'), 0);
    };
    setState({ status: 'up', since: clock.now() });
  };

  const server = emitter as UpstreamServer;
  Object.defineProperties(server, {
    spec: { value: spec },
    state: { get: () => state },
    catalog: { get: () => catalog },
  });
  Object.assign(server, {
    start: () => connect(0),
    async reportFailure(error: unknown) {
      if (stopped || state.status !== 'up' || !client) return;
      const c = client;
      try {
        await c.ping({ timeout: Math.min(timeoutMs, 5000) });
      } catch {
        if (client !== c) return;
        client = undefined;
        await c.close().catch(() => {});
        markDown(error, 0);
      }
    },
    describeUnavailable() {
      const target = describeTarget(spec);
      if (state.status === 'connecting')
        return `server "${spec.name}" (${target}) is still starting (since ${iso(state.since)}); try again shortly.`;
      if (state.status === 'up')
        return `server "${spec.name}" (${target}) did not answer this session; the gateway's own connection to it is up, so the next call reconnects.`;
      const action =
        state.retryAt === undefined
          ? `gave up reconnecting after ${state.attempt} attempts; it waits for an operator (fix the server, then restart the gateway).`
          : `reconnecting: attempt ${state.attempt + 1} at ${iso(state.retryAt)}.`;
      return `server "${spec.name}" (${target}) is down since ${iso(state.since)} (${state.error}); ${action}`;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      const c = client;
      client = undefined;
      await c?.close().catch(() => {});
    },
  });
  return server;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
