import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type ClientCapabilities,
  ErrorCode,
  type Implementation,
  McpError,
  type RequestId,
  ResultSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { CallMeta, ToolAnnotations } from '@selfheal/resilience';
import { GatewayError, GatewayErrorCode, WireErrorCode } from '../errors.js';
import { type ListMethod, listAll, type RawItem } from '../upstream/catalog.js';
import { connectUpstream, describeTarget, reasonOf } from '../upstream/connectUpstream.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';
import { describeLoss, isConnectionLoss, replayVerdict } from './replay.js';

/** What a link needs from the session that owns it. */
export interface LinkHost {
  factory: TransportFactory;
  timeoutMs: number;
  /** The downstream client's identity and capabilities, copied into the upstream handshake. */
  clientInfo: () => Implementation;
  clientCapabilities: () => ClientCapabilities;
  /** A request the upstream sent to its client (sampling, elicitation, roots, ...). */
  onServerRequest: (
    link: UpstreamLink,
    request: { method: string; params?: Record<string, unknown> },
    signal: AbortSignal,
  ) => Promise<Record<string, unknown>>;
  /** A notification the upstream sent (log message, list_changed, resource updated, ...). */
  onNotification: (
    link: UpstreamLink,
    notification: { method: string; params?: Record<string, unknown> },
  ) => void;
  /** A request was sent again on a new session after its session broke (`request_replayed`). */
  onReplay?: (link: UpstreamLink, replay: LinkReplay) => void;
}

/** Which client call a forwarded request serves: its events carry these ids. */
export interface CallIds {
  traceId?: string;
  sessionId?: string;
}

/** One replay of a request on a new session, and how it ended. */
export interface LinkReplay extends CallIds {
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
 * One client session's own MCP session with one upstream (RFC 0006): created on demand with the
 * client's capabilities, closed with the session. Tracks the client requests in flight on it so
 * that requests the upstream sends back can be tied to the call that caused them.
 */
export class UpstreamLink {
  readonly upstream: UpstreamServer;
  private readonly host: LinkHost;
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private closed = false;
  /** Client (downstream) request ids being served by this link, oldest first. */
  readonly inFlight = new Set<RequestId>();
  /** The latest live lists from this link, by method. */
  readonly lists = new Map<ListMethod, RawItem[]>();

  constructor(upstream: UpstreamServer, host: LinkHost) {
    this.upstream = upstream;
    this.host = host;
  }

  get name(): string {
    return this.upstream.spec.name;
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** The connected client, connecting first if needed. @throws GatewayError(UPSTREAM_UNAVAILABLE) */
  async ensure(): Promise<Client> {
    if (this.client) return this.client;
    if (this.closed) throw this.unavailable();
    if (this.upstream.state.status === 'down') throw this.unavailable();
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Client> {
    let connection: Awaited<ReturnType<typeof connectUpstream>>;
    try {
      connection = await connectUpstream(this.upstream.spec, {
        factory: this.host.factory,
        timeoutMs: this.host.timeoutMs,
        clientInfo: this.host.clientInfo(),
        capabilities: this.host.clientCapabilities(),
        configure: (client) => {
          client.fallbackRequestHandler = async (request, extra) =>
            (await this.host.onServerRequest(
              this,
              { method: request.method, params: request.params },
              extra.signal,
            )) as never;
          client.fallbackNotificationHandler = async (notification) =>
            this.host.onNotification(this, {
              method: notification.method,
              params: notification.params as Record<string, unknown> | undefined,
            });
        },
      });
    } catch (error) {
      void this.upstream.reportFailure(error);
      throw this.unavailable(error);
    }
    const { client } = connection;
    if (this.closed) {
      await client.close();
      throw this.unavailable();
    }
    client.onclose = () => {
      if (this.client === client) this.client = undefined;
    };
    this.client = client;
    return client;
  }

  /** The upstream's capabilities on this link, or from the last known catalog. */
  capabilities(): Record<string, unknown> {
    return (this.client?.getServerCapabilities() ??
      this.upstream.catalog?.capabilities ??
      {}) as Record<string, unknown>;
  }

  /**
   * Sends one client request upstream and returns the raw result. Upstream JSON-RPC errors are
   * rethrown with their own code, message and data. When the session breaks under the request
   * (its stdio process exited, the server forgot a Streamable HTTP session: 404, the connection
   * dropped), the link is re-initialised with the same client capabilities and the request is
   * replayed once, only if {@link replayVerdict} allows it; otherwise, or when the replay fails
   * too, it fails with UPSTREAM_UNAVAILABLE naming the server and why (`data.connection_lost`,
   * so the retry policy does not send it a third time; `data.may_have_run` when it was not
   * replayed because it may have taken effect, so no fallback sends it elsewhere).
   */
  async forward(
    method: string,
    params: Record<string, unknown> | undefined,
    requestId: RequestId,
    options: RequestOptions,
    call: CallIds = {},
  ): Promise<Record<string, unknown>> {
    const client = await this.ensure();
    this.inFlight.add(requestId);
    try {
      return await this.send(client, method, params, options);
    } catch (error) {
      if (options.signal?.aborted || !isConnectionLoss(error)) throw translate(error);
      await this.drop(client, error);
      const meta = this.callMeta(method, params);
      const verdict = replayVerdict(error, meta);
      if (!verdict.replay)
        throw this.lost(
          method,
          params,
          error,
          `not replayed: ${verdict.reason}`,
          verdict.mayHaveRun,
        );
      let fresh: Client;
      try {
        fresh = await this.ensure();
      } catch (reopen) {
        throw this.lost(method, params, error, `not replayed: ${reasonOf(reopen)}`);
      }
      // Aborted while the new session opened: nothing is sent again, so no replay to report.
      const sent = !options.signal?.aborted;
      const replayed = (outcome: LinkReplay['outcome']) => {
        if (!sent) return;
        this.host.onReplay?.(this, {
          ...call,
          method,
          ...(meta.tool === undefined ? {} : { tool: meta.tool }),
          cause: describeLoss(error),
          outcome,
        });
      };
      let result: Record<string, unknown>;
      try {
        result = await this.send(fresh, method, params, options);
      } catch (second) {
        if (options.signal?.aborted || !isConnectionLoss(second)) {
          replayed(options.signal?.aborted ? 'aborted' : 'error');
          throw translate(second);
        }
        replayed('failed');
        await this.drop(fresh, second);
        throw this.lost(method, params, second, 'replayed once on a new session, which broke too');
      }
      replayed('answered');
      return result;
    } finally {
      this.inFlight.delete(requestId);
    }
  }

  private async send(
    client: Client,
    method: string,
    params: Record<string, unknown> | undefined,
    options: RequestOptions,
  ): Promise<Record<string, unknown>> {
    return (await client.request({ method, params }, ResultSchema, options)) as Record<
      string,
      unknown
    >;
  }

  /** Forgets a broken session and tells the upstream (the monitor checks the server now). */
  private async drop(client: Client, error: unknown): Promise<void> {
    if (this.client === client) this.client = undefined;
    await client.close().catch(() => {});
    await this.upstream.reportFailure(error);
  }

  /**
   * The annotations of `tool` (its upstream name) as this session last listed it, else as the
   * server's catalog has it: what the retry rules read to judge whether a call is safe to repeat.
   */
  toolAnnotations(tool: string): ToolAnnotations | undefined {
    const tools = this.lists.get('tools/list') ?? this.upstream.catalog?.tools ?? [];
    const annotations = tools.find((t) => t.name === tool)?.annotations;
    return annotations && typeof annotations === 'object'
      ? (annotations as ToolAnnotations)
      : undefined;
  }

  /** What the resilience classifier needs to judge a replay: the tool and its annotations. */
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
   * Lists every page of `method` live; remembers the result. A list is a read: when the session
   * breaks under it, it is listed once more on a new session.
   */
  async list(method: ListMethod, signal: AbortSignal): Promise<RawItem[]> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.ensure();
      try {
        const items = await listAll(client, method, { signal, timeout: this.host.timeoutMs });
        this.lists.set(method, items);
        return items;
      } catch (error) {
        if (signal.aborted || !isConnectionLoss(error)) throw error;
        await this.drop(client, error);
        if (attempt > 1 || this.closed) throw this.unavailable(error);
      }
    }
  }

  /** Sends a notification upstream if connected (roots/list_changed); never throws. */
  notify(method: string, params?: Record<string, unknown>): void {
    this.client?.notification({ method, params }).catch(() => {});
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

  /** Closes this link's upstream session (a stdio process exits). Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
  }
}

/** An upstream JSON-RPC error as the SDK puts it on the wire; anything else unchanged. */
function translate(error: unknown): unknown {
  if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed)
    return wireError(error.code, reasonOf(error), error.data);
  return error;
}

/** An error the SDK puts on the wire as-is: `{code, message, data}` (no `MCP error` prefix). */
export function wireError(code: number, message: string, data?: unknown): Error {
  return Object.assign(new Error(message), { code, ...(data === undefined ? {} : { data }) });
}

/** The wire form of a GatewayError(UPSTREAM_UNAVAILABLE). */
export function unavailableWireError(error: GatewayError): Error {
  return wireError(WireErrorCode.UpstreamUnavailable, error.message, error.data);
}
