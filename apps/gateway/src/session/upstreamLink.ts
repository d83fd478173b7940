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
import { GatewayError, GatewayErrorCode, WireErrorCode } from '../errors.js';
import { type ListMethod, listAll, type RawItem } from '../upstream/catalog.js';
import { connectUpstream, reasonOf } from '../upstream/connectUpstream.js';
import type { TransportFactory } from '../upstream/transportFactory.js';
import type { UpstreamServer } from '../upstream/upstreamServer.js';

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
   * rethrown with their own code, message and data; a lost connection becomes UPSTREAM_UNAVAILABLE.
   */
  async forward(
    method: string,
    params: Record<string, unknown> | undefined,
    requestId: RequestId,
    options: RequestOptions,
  ): Promise<Record<string, unknown>> {
    const client = await this.ensure();
    this.inFlight.add(requestId);
    try {
      return (await client.request({ method, params }, ResultSchema, options)) as Record<
        string,
        unknown
      >;
    } catch (error) {
      if (options.signal?.aborted) throw error;
      if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed)
        throw wireError(error.code, reasonOf(error), error.data);
      if (this.client === client) this.client = undefined;
      await client.close().catch(() => {});
      await this.upstream.reportFailure(error);
      throw this.unavailable(error);
    } finally {
      this.inFlight.delete(requestId);
    }
  }

  /** Lists every page of `method` live; remembers the result. */
  async list(method: ListMethod, signal: AbortSignal): Promise<RawItem[]> {
    const client = await this.ensure();
    try {
      const items = await listAll(client, method, { signal, timeout: this.host.timeoutMs });
      this.lists.set(method, items);
      return items;
    } catch (error) {
      if (signal.aborted) throw error;
      if (error instanceof McpError && error.code !== ErrorCode.ConnectionClosed) throw error;
      if (this.client === client) this.client = undefined;
      await client.close().catch(() => {});
      await this.upstream.reportFailure(error);
      throw this.unavailable(error);
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

/** An error the SDK puts on the wire as-is: `{code, message, data}` (no `MCP error` prefix). */
export function wireError(code: number, message: string, data?: unknown): Error {
  return Object.assign(new Error(message), { code, ...(data === undefined ? {} : { data }) });
}

/** The wire form of a GatewayError(UPSTREAM_UNAVAILABLE). */
export function unavailableWireError(error: GatewayError): Error {
  return wireError(WireErrorCode.UpstreamUnavailable, error.message, error.data);
}
