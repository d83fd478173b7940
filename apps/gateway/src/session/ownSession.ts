import type { Client, RequestId } from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import { type Clock, systemClock } from '@selfheal/internal';
import { GATEWAY_LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import type { GatewayError } from '../errors.js';
import { connectUpstream } from '../upstream/connectUpstream.js';
import type { UpstreamMessage } from '../upstream/sharedCalls.js';
import type { ClientSessionSlot, UpstreamServer } from '../upstream/upstreamServer.js';
import type { LinkHost, UpstreamLink } from './upstreamLink.js';

/** How long a client session of its own has to answer a ping after a timeout, ms. */
const PING_MS = 5000;

/**
 * One client's session of its own with one server (RFC 0010): opened lazily with the client's
 * identity and capabilities, one of the server's bounded slots while open, closed after
 * `idleMs` with nothing in flight and no subscription, and closed when it stops answering (a
 * ping after a timeout). The per-session state the server keeps for the client (its log level,
 * its subscriptions) is remembered here and set again on the next session.
 */
export class OwnSession {
  private current: Client | undefined;
  private opening: Promise<Client> | undefined;
  private slot: ClientSessionSlot | undefined;
  private idleTimer: unknown;
  /** Whether a session was open before: the state it held is set again on the next. */
  private reopening = false;
  /** The session being pinged after a timeout, if one is. */
  private checking: Client | undefined;
  private closed = false;
  private readonly clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  private logLevel: Record<string, unknown> | undefined;
  private readonly subscriptions = new Set<string>();
  /** Client (downstream) request ids being served by this session, oldest first. */
  readonly inFlight = new Set<RequestId>();

  constructor(
    private readonly link: UpstreamLink,
    private readonly upstream: UpstreamServer,
    private readonly host: LinkHost,
    /** The link's error for a request it cannot serve now. */
    private readonly unavailable: (cause?: unknown) => GatewayError,
  ) {
    this.clock = host.clock ?? systemClock;
  }

  /** Whether the client's requests to this server need it: `per_client`, or state kept there. */
  get wanted(): boolean {
    if (this.host.stateless) return false;
    return (
      this.upstream.spec.config.session === 'per_client' ||
      this.logLevel !== undefined ||
      this.subscriptions.size > 0
    );
  }

  /** The open session, if any. */
  get client(): Client | undefined {
    return this.current;
  }

  /** The open session, else a new one. @throws GatewayError(UPSTREAM_UNAVAILABLE | CLIENT_SESSIONS_EXHAUSTED) */
  async ensure(): Promise<Client> {
    if (this.closed) throw this.unavailable();
    if (this.current) return this.current;
    if (this.upstream.state.status === 'down') throw this.unavailable();
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  private async open(): Promise<Client> {
    const slot = this.upstream.acquireClientSession();
    const related = () => this.inFlight.values().next().value;
    let connection: Awaited<ReturnType<typeof connectUpstream>>;
    try {
      connection = await connectUpstream(this.upstream.spec, {
        factory: this.host.factory,
        timeoutMs: this.host.timeoutMs,
        ...(this.host.onInvalidMessage && { onInvalidMessage: this.host.onInvalidMessage }),
        clientInfo: this.host.clientInfo(),
        capabilities: this.host.clientCapabilities(),
        configure: (client) => {
          client.fallbackRequestHandler = async (request, ctx) =>
            (await this.host.onServerRequest(
              this.link,
              { method: request.method, params: request.params },
              ctx.mcpReq.signal,
              related(),
            )) as never;
          client.fallbackNotificationHandler = async (notification) =>
            this.host.onNotification(this.link, notification as UpstreamMessage, related());
        },
      });
    } catch (error) {
      slot();
      void this.upstream.reportFailure(error);
      throw this.unavailable(error);
    }
    const { client } = connection;
    if (this.closed) {
      slot();
      await client.close();
      throw this.unavailable();
    }
    client.onclose = () => {
      if (this.current === client) this.forget();
    };
    this.current = client;
    this.slot = slot;
    if (this.reopening) await this.restore(client);
    this.reopening = true;
    this.touch();
    return client;
  }

  /** Sets the log level and subscriptions the client had on its previous session. */
  private async restore(client: Client): Promise<void> {
    const send = (method: string, params: Record<string, unknown>) =>
      client
        .request({ method, params }, ResultSchema, { timeout: this.host.timeoutMs })
        .catch(() => {});
    if (this.logLevel !== undefined) await send('logging/setLevel', this.logLevel);
    for (const uri of this.subscriptions) await send('resources/subscribe', { uri });
  }

  /** Forgets the session (it closed or broke) and frees its slot. */
  forget(): void {
    this.current = undefined;
    this.slot?.();
    this.slot = undefined;
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  /** Forgets `client` if it is the session, and closes it. */
  async drop(client: Client): Promise<void> {
    if (this.current !== client) return;
    this.forget();
    await client.close().catch(() => {});
  }

  /** Restarts the idle countdown. */
  private touch(): void {
    if (this.current === undefined) return;
    this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = this.clock.setTimeout(() => {
      this.idleTimer = undefined;
      if (this.current === undefined) return;
      // Busy or holding subscriptions: not idle now; asked again a countdown later.
      if (this.inFlight.size > 0 || this.subscriptions.size > 0) return this.touch();
      void this.drop(this.current);
    }, this.host.idleMs ?? GATEWAY_LIBRARY_DEFAULTS.clientSessionIdleMs);
  }

  /** Counts a request in flight (ties server requests to it; not idle); returns its end. */
  track(requestId: RequestId): () => void {
    this.inFlight.add(requestId);
    this.touch();
    return () => {
      this.inFlight.delete(requestId);
      this.touch();
    };
  }

  /**
   * Pings the session after one of its requests timed out; one that does not answer within
   * {@link PING_MS} is hung: closed (its process ends), and the next request opens a new one.
   */
  check(client: Client): void {
    if (this.checking === client) return;
    this.checking = client;
    client
      .ping({ timeout: PING_MS })
      .catch(() => {
        if (this.current !== client) return;
        void this.drop(client);
        void this.upstream.reportFailure(
          new Error('a client session of its own stopped answering'),
        );
      })
      .finally(() => {
        if (this.checking === client) this.checking = undefined;
      });
  }

  /**
   * Records per-session state a request sets on the server (`logging/setLevel`,
   * `resources/subscribe`, `resources/unsubscribe`). Call before forwarding a level or a
   * subscription (so it goes over this session), after an unsubscribe has been forwarded (so
   * that one does too). Returns what undoes it, for a request that failed.
   */
  keep(method: string, params: Record<string, unknown> | undefined): () => void {
    if (method === 'logging/setLevel') {
      const previous = this.logLevel;
      this.logLevel = params ?? {};
      return () => {
        this.logLevel = previous;
      };
    }
    const uri = String(params?.uri);
    const had = this.subscriptions.has(uri);
    if (method === 'resources/subscribe') this.subscriptions.add(uri);
    else if (method === 'resources/unsubscribe') this.subscriptions.delete(uri);
    return () => {
      if (had) this.subscriptions.add(uri);
      else this.subscriptions.delete(uri);
    };
  }

  /** Closes the session, if any, for good (the client session ended). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.current;
    this.forget();
    await client?.close().catch(() => {});
  }
}
