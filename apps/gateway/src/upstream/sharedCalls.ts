import type { Client, RequestId } from '@modelcontextprotocol/client';
import { EventEmitter } from 'eventemitter3';
import { WireErrorCode } from '../errors.js';
import { type ListMethod, listChangedBy } from './catalog.js';

/** A message an upstream sent on its own (a request or a notification), kept raw. */
export interface UpstreamMessage {
  method: string;
  params?: Record<string, unknown>;
}

/**
 * A client request being served over a shared upstream connection: where the server-to-client
 * traffic it causes goes (the downstream session, on that request's own stream).
 */
export interface SharedCallOwner {
  /** The downstream request this call serves. */
  readonly requestId: RequestId;
  /** Asks the downstream client (sampling, elicitation, roots, ...); rejects with its error. */
  request(message: UpstreamMessage, signal: AbortSignal): Promise<Record<string, unknown>>;
  /** Tells the downstream client (a log message, a resource update, ...). */
  notify(message: UpstreamMessage): void;
}

/** A call in flight. */
interface Tracked {
  owner: SharedCallOwner;
}

/** Events of {@link SharedCalls}. */
export interface SharedCallsEvents {
  /** The upstream said one of its lists changed (`notifications/tools/list_changed`, ...). */
  listChanged: (method: ListMethod) => void;
  /**
   * A request or notification the upstream sent that could not be tied to one client call
   * (none or several in flight): refused (a request) or dropped (a notification).
   */
  unattributed: (message: UpstreamMessage, inFlight: number) => void;
}

/**
 * The client calls in flight on one server's shared connection (RFC 0010), and the handlers
 * that route what the server sends on that connection: list changes to every session, any other
 * request or notification to the call that caused it.
 *
 * MCP 2025-11-25 has no field tying a server-to-client request to the client request that caused
 * it, so attribution is exact only while one call is in flight: a request that arrives with none
 * or several in flight is refused with an error naming the server and the fix (`"session":
 * "per_client"`), and such a notification is dropped. Progress and cancellation are the SDK's
 * (by token and by id, exact under any concurrency).
 */
export class SharedCalls extends EventEmitter<SharedCallsEvents> {
  private readonly server: string;
  private readonly calls = new Set<Tracked>();
  private readonly installed = new WeakSet<Client>();

  constructor(server: string) {
    super();
    this.server = server;
  }

  /** Calls in flight now. */
  get size(): number {
    return this.calls.size;
  }

  /** Registers a call in flight; returns what ends it. */
  begin(owner: SharedCallOwner): () => void {
    const tracked = { owner };
    this.calls.add(tracked);
    return () => {
      this.calls.delete(tracked);
    };
  }

  /**
   * The call a request or notification from the server belongs to: the only call in flight.
   * With several, even one waiting for its client's answer, it may be any of them (a handler may
   * ask two things at once), and a wrong guess shows one user's prompt to another: refused.
   */
  private sole(): Tracked | undefined {
    if (this.calls.size !== 1) return undefined;
    return this.calls.values().next().value;
  }

  /** Calls in flight now (for the refusal's message). */
  private get candidates(): number {
    return this.calls.size;
  }

  /** Installs the routing handlers on a shared session's client (once per client). */
  install(client: Client): void {
    if (this.installed.has(client)) return;
    this.installed.add(client);
    client.fallbackRequestHandler = async (request, ctx) => {
      const message = { method: request.method, params: request.params };
      const tracked = this.sole();
      if (tracked === undefined) {
        this.emit('unattributed', message, this.candidates);
        throw Object.assign(new Error(this.unattributedReason(request.method)), {
          code: WireErrorCode.InternalError,
        });
      }
      return (await tracked.owner.request(message, ctx.mcpReq.signal)) as never;
    };
    client.fallbackNotificationHandler = async (notification) => {
      const method = notification.method;
      const list = listChangedBy(method);
      if (list !== undefined) {
        this.emit('listChanged', list);
        return;
      }
      const message = {
        method,
        params: notification.params as Record<string, unknown> | undefined,
      };
      const tracked = this.sole();
      if (tracked === undefined) this.emit('unattributed', message, this.candidates);
      else tracked.owner.notify(message);
    };
  }

  private unattributedReason(method: string): string {
    const count = this.candidates;
    const why =
      count === 0
        ? 'no client request is in flight on it'
        : `${count} client requests are in flight on it`;
    return `selfheal: server "${this.server}" sent ${method} on the gateway's shared connection and ${why}, so it cannot be tied to one client; set "session": "per_client" on this server to give each client its own session`;
  }
}
