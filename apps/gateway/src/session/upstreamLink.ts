import type {
  Client,
  ClientCapabilities,
  Implementation,
  RequestId,
  RequestOptions,
} from '@modelcontextprotocol/client';
import {
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
} from '@modelcontextprotocol/client';
import { ResultSchema } from '@modelcontextprotocol/core';
import type { Clock } from '@selfheal/internal';
import { isSessionExpired } from '@selfheal/monitor';
import type { CallMeta, ToolAnnotations } from '@selfheal/resilience';
import { GatewayError, GatewayErrorCode, WireErrorCode } from '../errors.js';
import { resultTypeOf, withoutEnvelope } from '../stateless/envelope.js';
import {
  LIST_CAPABILITY,
  LIST_KEYS,
  type ListMethod,
  listAll,
  type RawItem,
  toolAnnotationsOf,
} from '../upstream/catalog.js';
import { describeTarget, reasonOf } from '../upstream/connectUpstream.js';
import type { SharedCallOwner, UpstreamMessage } from '../upstream/sharedCalls.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { OwnSession } from './ownSession.js';
import { describeLoss, isConnectionLoss, resendVerdict, wasWritten } from './resend.js';

/** What a link needs from the session that owns it. */
export interface LinkHost {
  factory: TransportFactory;
  timeoutMs: number;
  /**
   * A client session of its own with a server closes after this many ms with no request in
   * flight and no resource subscription (RFC 0010). @default 300000
   */
  idleMs?: number;
  /** Timers of the idle close. @default systemClock */
  clock?: Pick<Clock, 'setTimeout' | 'clearTimeout'>;
  /**
   * Stateless clients (MCP 2026-07-28) have no session to keep state in: their requests always
   * go over the shared connection, whatever the server's `session` says. @default false
   */
  stateless?: boolean;
  /** The downstream client's identity and capabilities, copied into the upstream handshake. */
  clientInfo: () => Implementation;
  clientCapabilities: () => ClientCapabilities;
  /**
   * A request the upstream sent to its client (sampling, elicitation, roots, ...), with the
   * downstream request it belongs to when that is known (its stream carries it).
   */
  onServerRequest: (
    link: UpstreamLink,
    request: UpstreamMessage,
    signal: AbortSignal,
    relatedRequestId: RequestId | undefined,
  ) => Promise<Record<string, unknown>>;
  /** A notification the upstream sent (log message, resource updated, ...). */
  onNotification: (
    link: UpstreamLink,
    notification: UpstreamMessage,
    relatedRequestId: RequestId | undefined,
  ) => void;
  /** A request was sent again on a new session after its session broke (`request_resent`). */
  onResend?: (link: UpstreamLink, resend: LinkResend) => void;
  /** A session of the client's own got a message that is not JSON-RPC (RFC 0017). */
  onInvalidMessage?: (server: string, error: Error) => void;
}

/** Whether the SDK gave up waiting for an answer (its request timeout). */
function isRequestTimeout(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout;
}

/** Rounds of input a server may ask for on one request of a 2025-11-25 caller. */
const MAX_INPUT_ROUNDS = 10;

/** Which client call a forwarded request serves: its events carry these ids. */
export interface CallIds {
  traceId?: string;
  sessionId?: string;
}

/** One resend of a request on a new session, and how it ended. */
export interface LinkResend extends CallIds {
  method: string;
  /** The upstream tool, for tools/call. */
  tool?: string;
  /** How the first session broke. */
  cause: string;
  /**
   * `answered` (a result), `error` (any other error: the upstream's JSON-RPC error, the request
   * timeout), `failed` (the new session broke too), `aborted` (the request was aborted
   * meanwhile: the client cancelled it, or its attempt timed out or lost a hedge).
   */
  outcome: 'answered' | 'error' | 'failed' | 'aborted';
}

/**
 * How one client session reaches one upstream (RFC 0010). By default over the server's shared
 * connection (the monitor's session, one per server for every client); over a session of the
 * client's own, opened lazily with the client's identity and capabilities, where the server's
 * config says `"session": "per_client"` or once the client keeps per-session state there (a log
 * level, resource subscriptions). Such a session is bounded per server and closed when idle;
 * its log level and subscriptions are set again when it reopens.
 */
export class UpstreamLink {
  readonly upstream: UpstreamServer;
  private readonly host: LinkHost;
  /** The client's session of its own with the server, when it needs one. */
  private readonly own: OwnSession;
  private closed = false;
  /**
   * The latest lists this link listed live, by method: every list of its own session, and the
   * tools it listed over the shared one: the definitions its client holds, which name routing,
   * a call's `Mcp-Param-*` headers, its retry rules and trust's output check follow. A list
   * served from the catalog is not kept: the catalog, which every `list_changed` renews, is read
   * instead.
   */
  readonly lists = new Map<ListMethod, RawItem[]>();

  constructor(upstream: UpstreamServer, host: LinkHost) {
    this.upstream = upstream;
    this.host = host;
    this.own = new OwnSession(this, upstream, host, (cause) => this.unavailable(cause));
  }

  get name(): string {
    return this.upstream.spec.name;
  }

  /** Whether this client's requests to the server go over a session of its own. */
  get ownSession(): boolean {
    return this.own.wanted;
  }

  /**
   * The client requests go over now, waiting for the shared session while the server starts or
   * restarts. @throws GatewayError(UPSTREAM_UNAVAILABLE | CLIENT_SESSIONS_EXHAUSTED)
   */
  async ensure(signal?: AbortSignal): Promise<Client> {
    if (this.closed) throw this.unavailable();
    if (!this.ownSession) return this.upstream.session(signal, this.host.timeoutMs);
    return this.own.ensure();
  }

  /** The upstream's capabilities on this link, or from the last known catalog. */
  capabilities(): Record<string, unknown> {
    return ((this.ownSession ? this.own.client : this.upstream.client)?.getServerCapabilities() ??
      this.upstream.catalog?.capabilities ??
      {}) as Record<string, unknown>;
  }

  /** Records per-session state a request sets on the server: see {@link OwnSession.keep}. */
  keep(method: string, params: Record<string, unknown> | undefined): () => void {
    return this.own.keep(method, params);
  }

  /**
   * Sends one client request upstream and returns the raw result. Upstream JSON-RPC errors are
   * rethrown with their own code, message and data. When the session breaks under the request
   * (its stdio process exited, the server forgot a Streamable HTTP session: 404, the connection
   * dropped), it is resent once on the next session (a new own session, or the shared one the
   * monitor opens), only if {@link resendVerdict} allows it; otherwise, or when the resend fails
   * too, it fails with UPSTREAM_UNAVAILABLE naming the server and why (`data.connection_lost`,
   * so the retry policy does not send it a third time; `data.may_have_run` when it was not
   * resent because it may have taken effect, so no fallback sends it elsewhere).
   */
  async forward(
    method: string,
    params: Record<string, unknown> | undefined,
    requestId: RequestId,
    options: RequestOptions,
    call: CallIds = {},
  ): Promise<Record<string, unknown>> {
    // A stateless caller's request goes as it came to a server that speaks its revision (the
    // shared connection's adapter keeps the caller's envelope, and input_required comes back
    // as it is); a 2025-11-25 server gets it without the envelope (RFC 0013).
    if (this.host.stateless && !this.upstream.speaksStateless) params = withoutEnvelope(params);
    const own = this.ownSession;
    const client = await this.ensure(options.signal);
    let end: () => void;
    if (own) end = this.own.track(requestId);
    else {
      const call = this.upstream.shared.begin(this.owner(requestId));
      end = call.end;
      // The key names this call on the shared connection: a server request on its stream is its.
      options = { ...options, relatedRequestId: call.key };
    }
    try {
      return await this.send(client, method, params, options, requestId);
    } catch (error) {
      // A request of the own session that timed out or was given up on: is the session hung?
      // (The monitor watches the shared connection's process, not this one.)
      if (own && (options.signal?.aborted || isRequestTimeout(error))) this.own.check(client);
      if (options.signal?.aborted || !isConnectionLoss(error)) throw translate(error);
      await this.drop(client, error);
      const meta = this.callMeta(method, params);
      const verdict = resendVerdict(error, meta);
      if (!verdict.resend)
        throw this.lost(method, params, error, `not resent: ${verdict.reason}`, verdict.mayHaveRun);
      let fresh: Client;
      try {
        // The shared session may have survived the loss of one request (an HTTP answer cut
        // short): the monitor kept it, so the resend goes on it at once; a session the server
        // forgot (404), or one that could not even send (the server is gone), waits for the
        // monitor's next one.
        const kept =
          !own &&
          wasWritten(error) &&
          !isSessionExpired(error) &&
          this.upstream.client === client &&
          client.transport !== undefined;
        fresh = own
          ? await this.ensure(options.signal)
          : kept
            ? client
            : await this.upstream.session(options.signal, this.host.timeoutMs, client);
      } catch (reopen) {
        throw this.lost(method, params, error, `not resent: ${reasonOf(reopen)}`);
      }
      // Aborted while the new session opened: nothing is sent again, so no resend to report.
      const sent = !options.signal?.aborted;
      const resent = (outcome: LinkResend['outcome']) => {
        if (!sent) return;
        this.host.onResend?.(this, {
          ...call,
          method,
          ...(meta.tool === undefined ? {} : { tool: meta.tool }),
          cause: describeLoss(error),
          outcome,
        });
      };
      let result: Record<string, unknown>;
      try {
        result = await this.send(fresh, method, params, options, requestId);
      } catch (second) {
        if (options.signal?.aborted || !isConnectionLoss(second)) {
          resent(options.signal?.aborted ? 'aborted' : 'error');
          throw translate(second);
        }
        resent('failed');
        await this.drop(fresh, second);
        throw this.lost(method, params, second, 'resent once on a new session, which broke too');
      }
      resent('answered');
      return result;
    } finally {
      end();
    }
  }

  /** This session's call `requestId` as the shared connection routes what the server sends. */
  private owner(requestId: RequestId): SharedCallOwner {
    return {
      requestId,
      request: (message, signal) => this.host.onServerRequest(this, message, signal, requestId),
      notify: (message) => this.host.onNotification(this, message, requestId),
    };
  }

  private async send(
    client: Client,
    method: string,
    params: Record<string, unknown> | undefined,
    options: RequestOptions,
    requestId?: RequestId,
  ): Promise<Record<string, unknown>> {
    let result = (await client.request({ method, params }, ResultSchema, options)) as Record<
      string,
      unknown
    >;
    // A server that speaks 2026-07-28 asks for input in its result; a 2025-11-25 caller is asked
    // with real requests, and the request goes again with the answers (RFC 0013).
    for (let round = 0; this.needsFulfilling(result); round++) {
      if (round === MAX_INPUT_ROUNDS)
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `server "${this.name}" asked for input ${MAX_INPUT_ROUNDS} times in a row on ${method}; given up`,
        );
      const asked = (result.inputRequests ?? {}) as Record<string, UpstreamMessage>;
      const inputResponses: Record<string, unknown> = {};
      for (const [key, request] of Object.entries(asked)) {
        try {
          inputResponses[key] = await this.host.onServerRequest(
            this,
            request,
            options.signal ?? new AbortController().signal,
            requestId,
          );
        } catch (error) {
          // The client's refusal is an answer, not a broken upstream session.
          throw asProtocolError(error);
        }
      }
      const state = result.requestState;
      result = (await client.request(
        {
          method,
          params: {
            ...params,
            inputResponses,
            ...(state === undefined ? {} : { requestState: state }),
          },
        },
        ResultSchema,
        options,
      )) as Record<string, unknown>;
    }
    return result;
  }

  /** Whether `result` asks a 2025-11-25 caller for input the gateway must fetch for it. */
  private needsFulfilling(result: Record<string, unknown>): boolean {
    return !this.host.stateless && resultTypeOf(result) === 'input_required';
  }

  /**
   * Forgets a broken session and tells the upstream (the monitor checks the server now). The
   * shared session is the monitor's: it is not closed here, the monitor replaces it.
   */
  private async drop(client: Client, error: unknown): Promise<void> {
    await this.own.drop(client);
    await this.upstream.reportFailure(error);
  }

  /** `tool` (its upstream name) as this link last listed it live, else as the server's catalog has it. */
  listedTool(tool: string): RawItem | undefined {
    const byName = (t: RawItem) => t.name === tool;
    // A tool the client was not shown (added since its list) is as the catalog has it.
    return this.lists.get('tools/list')?.find(byName) ?? this.upstream.catalog?.tools.find(byName);
  }

  /**
   * The annotations of `tool` (its upstream name) as this session last listed it, else as the
   * server's catalog has it: what the retry rules read to judge whether a call is safe to repeat.
   */
  toolAnnotations(tool: string): ToolAnnotations | undefined {
    return toolAnnotationsOf(this.listedTool(tool));
  }

  /** What the resilience classifier needs to judge a resend: the tool and its annotations. */
  private callMeta(method: string, params: Record<string, unknown> | undefined): CallMeta {
    if (method !== 'tools/call') return { method };
    const tool = String(params?.name);
    const annotations = this.toolAnnotations(tool);
    return { method, tool, ...(annotations ? { toolAnnotations: annotations } : {}) };
  }

  /** The error of a request whose session broke: which server, what, why, what next. */
  private lost(
    method: string,
    params: Record<string, unknown> | undefined,
    cause: unknown,
    why: string,
    mayHaveRun = false,
  ): GatewayError {
    const what = method === 'tools/call' ? `tools/call "${String(params?.name)}"` : method;
    const state = this.upstream.state;
    return new GatewayError(
      GatewayErrorCode.UpstreamUnavailable,
      `server "${this.name}" (${describeTarget(this.upstream.spec)}): the session broke while ${what} was in flight (${describeLoss(cause)}); ${why}. The next request opens a new session.`,
      {
        cause,
        data: {
          server: this.name,
          status: state.status,
          since: new Date(state.since).toISOString(),
          connection_lost: true,
          // The request may have taken effect upstream and was not safe to send again: a
          // fallback chain must not send it to another server either.
          ...(mayHaveRun && { may_have_run: true }),
        },
      },
    );
  }

  /**
   * Lists every page of `method`. Over the shared connection a list the server promises to
   * announce changes of (`listChanged`) is served from the catalog listed on the current
   * session, which each `list_changed` refreshes; any other list is listed live. A list is a
   * read: when the session breaks under it, it is listed once more on the next session.
   */
  async list(method: ListMethod, signal: AbortSignal): Promise<RawItem[]> {
    if (!this.ownSession) {
      // Down: the caller serves the last known catalog, marked with why.
      if (this.upstream.state.status === 'down') throw this.unavailable();
      const catalog = this.upstream.liveCatalog();
      const capability = catalog?.capabilities[LIST_CAPABILITY[method]] as
        | { listChanged?: boolean }
        | undefined;
      if (catalog && capability?.listChanged === true) {
        this.lists.delete(method);
        return catalog[LIST_KEYS[method]];
      }
    }
    let broken: Client | undefined;
    for (let attempt = 1; ; attempt++) {
      const own = this.ownSession;
      const client = own
        ? await this.ensure(signal)
        : await this.upstream.session(signal, this.host.timeoutMs, broken);
      try {
        const items = await listAll(client, method, { signal, timeout: this.host.timeoutMs });
        // Over the shared connection only the tools are kept (what a call's checks read); the
        // other lists route by the catalog there, as every client's do.
        if (own || method === 'tools/list') this.lists.set(method, items);
        else this.lists.delete(method); // an own session's list, from before it ended
        return items;
      } catch (error) {
        if (signal.aborted || !isConnectionLoss(error)) throw error;
        await this.drop(client, error);
        broken = client;
        if (attempt > 1 || this.closed) throw this.unavailable(error);
      }
    }
  }

  /** Sends a notification on the own session if one is open (roots/list_changed); never throws. */
  notify(method: string, params?: Record<string, unknown>): void {
    this.own.client?.notification({ method, params }).catch(() => {});
  }

  /** The error for a call this link cannot serve, saying which server, since when and why. */
  unavailable(cause?: unknown): GatewayError {
    const state = this.upstream.state;
    let message = this.upstream.describeUnavailable();
    if (cause !== undefined && state.status !== 'down') message += ` Cause: ${reasonOf(cause)}`;
    return new GatewayError(GatewayErrorCode.UpstreamUnavailable, message, {
      cause,
      data: { server: this.name, status: state.status, since: new Date(state.since).toISOString() },
    });
  }

  /** Closes this client's own session with the server, if any (a stdio process exits). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.own.close();
  }
}

/**
 * An upstream JSON-RPC error as the SDK puts it on the wire, and the SDK's own request timeout
 * as -32001 (SDK 2.x raises it as a local `SdkError` with a string code, which the server side
 * would otherwise answer as -32603); anything else unchanged.
 */
function translate(error: unknown): unknown {
  if (error instanceof ProtocolError && error.code !== WireErrorCode.ConnectionClosed)
    return wireError(error.code, reasonOf(error), error.data);
  if (isRequestTimeout(error))
    return wireError(WireErrorCode.RequestTimeout, reasonOf(error), (error as SdkError).data);
  return error;
}

/** An error with its JSON-RPC code (or -32603) as the SDK's `ProtocolError`. */
function asProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const e = error as { code?: unknown; message?: unknown; data?: unknown };
  return new ProtocolError(
    typeof e?.code === 'number' ? e.code : ProtocolErrorCode.InternalError,
    typeof e?.message === 'string' ? e.message : String(error),
    e?.data,
  );
}

/** An error the SDK puts on the wire as-is: `{code, message, data}` (no `MCP error` prefix). */
export function wireError(code: number, message: string, data?: unknown): Error {
  return Object.assign(new Error(message), { code, ...(data === undefined ? {} : { data }) });
}

/** The wire form of a GatewayError(UPSTREAM_UNAVAILABLE). */
export function unavailableWireError(error: GatewayError): Error {
  return wireError(WireErrorCode.UpstreamUnavailable, error.message, error.data);
}
