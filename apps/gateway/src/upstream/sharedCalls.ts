import type { Client, RequestId, Transport } from '@modelcontextprotocol/client';
import { EventEmitter } from 'eventemitter3';
import { WireErrorCode } from '../errors.js';
import { type ListMethod, listChangedBy } from './catalog.js';
import { deliveringOrigin, originOf, type StreamOrigin } from './requestOrigins.js';

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

/** A call registered with {@link SharedCalls.begin}. */
export interface SharedCall {
  /**
   * Names the call on the connection: send its upstream request with this as its
   * `relatedRequestId`, so that a transport that knows which call a server request belongs to
   * (see `RequestOrigins`) can say so.
   */
  readonly key: string;
  /** Ends the call: what the server sends from now on is no longer its. */
  end(): void;
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
  /**
   * A request or notification that came on a stream no client call in flight owns: that of a
   * call that has ended (`ended`), or of the gateway's own request (`gateway`: a list, a check).
   * Refused (a request) or dropped (a notification), never given to another call.
   */
  strayed: (message: UpstreamMessage, stream: Unowned) => void;
}

/** Why a message's stream belongs to no call in flight: see {@link SharedCallsEvents.strayed}. */
export type Unowned = 'ended' | 'gateway';

/** Whose stream an {@link Unowned} one is, as the refusal and the warning say it. */
export function unownedStream(unowned: Unowned): string {
  return unowned === 'ended'
    ? 'a client request that has already ended'
    : "the gateway's own request, not a client's";
}

/**
 * The client calls in flight on one server's shared connection (RFC 0010), and the handlers
 * that route what the server sends on that connection: list changes to every session, any other
 * request or notification to the call that caused it.
 *
 * MCP 2025-11-25 has no field tying a server-to-client request or notification to the client
 * request that caused it. Over Streamable HTTP the stream it arrives on does: the shared
 * connection's transport says which call's stream carried it (`RequestOrigins`), and it goes to
 * that call whatever else is in flight ({@link install} for requests, {@link watch} for
 * notifications). Elsewhere (stdio, the standalone GET stream) attribution is exact only while
 * one call is in flight: a request that arrives with none or several in flight is refused with an
 * error naming the server and the fix (`"session": "per_client"`), and such a notification is
 * dropped. Progress and cancellation are the SDK's (by token and by id, exact under any
 * concurrency).
 */
export class SharedCalls extends EventEmitter<SharedCallsEvents> {
  private readonly server: string;
  /** Calls in flight by key. */
  private readonly calls = new Map<string, Tracked>();
  private nextKey = 0;
  private readonly installed = new WeakSet<Client>();

  constructor(server: string) {
    super();
    this.server = server;
  }

  /** Calls in flight now. */
  get size(): number {
    return this.calls.size;
  }

  /** Registers a call in flight. */
  begin(owner: SharedCallOwner): SharedCall {
    const key = `selfheal-${this.nextKey++}`;
    this.calls.set(key, { owner });
    return { key, end: () => this.calls.delete(key) };
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

  /**
   * The call a message from the server belongs to, by the stream that carried it (`origin`):
   * the call that stream is for, if still in flight (else it is `unowned`, never another's);
   * the only call in flight where the transport cannot tell the stream.
   */
  private ownerOf(origin: StreamOrigin): { tracked?: Tracked; unowned?: Unowned } {
    if (origin === undefined) return { tracked: this.sole() };
    if (origin === null) return { unowned: 'gateway' };
    const tracked = this.calls.get(String(origin));
    return tracked === undefined ? { unowned: 'ended' } : { tracked };
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
      const { tracked, unowned } = this.ownerOf(originOf(client.transport, ctx.mcpReq.id));
      if (tracked === undefined) {
        if (unowned === undefined) this.emit('unattributed', message, this.candidates);
        else this.emit('strayed', message, unowned);
        throw Object.assign(new Error(this.unattributedReason(request.method, unowned)), {
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

  /**
   * Sends a notification a call's own stream carries (a log message, ...) straight to that call,
   * however many are in flight, where the transport can tell the stream (see
   * `RequestOrigins.deliveringOrigin`); one from the stream of a call that has ended or of the
   * gateway's own request is dropped (`strayed`); one from no known stream goes on to the client
   * as before (the fallback handler of {@link install}: the only call in flight). Progress,
   * cancellation, resource updates and list changes stay the client's. Delivered a microtask
   * later, as the SDK runs a notification's handler, so the server's order holds. Wraps the
   * transport's public `onmessage`: call it once the client is connected.
   */
  watch(transport: Transport): void {
    const dispatch = transport.onmessage;
    if (dispatch === undefined) return;
    transport.onmessage = (message, extra) => {
      if ('method' in message && !('id' in message) && isCallNotification(message.method)) {
        const origin = deliveringOrigin(transport);
        if (origin !== undefined) {
          const routed = { method: message.method, params: message.params };
          const { tracked, unowned } = this.ownerOf(origin);
          if (tracked !== undefined) queueMicrotask(() => tracked.owner.notify(routed));
          else this.emit('strayed', routed, unowned!);
          return;
        }
      }
      dispatch(message, extra);
    };
  }

  private unattributedReason(method: string, unowned?: Unowned): string {
    if (unowned !== undefined)
      return `selfheal: server "${this.server}" sent ${method} on the stream of ${unownedStream(unowned)}, so there is no client to ask`;
    const count = this.candidates;
    const why =
      count === 0
        ? 'no client request is in flight on it'
        : `${count} client requests are in flight on it`;
    return `selfheal: server "${this.server}" sent ${method} on the gateway's shared connection and ${why}, so it cannot be tied to one client; set "session": "per_client" on this server to give each client its own session`;
  }
}

/**
 * A notification that belongs to one call: not progress or cancellation (the SDK's, by token and
 * id), not a resource update (a subscription's), not a list change (every session's).
 */
function isCallNotification(method: string): boolean {
  return (
    method !== 'notifications/progress' &&
    method !== 'notifications/cancelled' &&
    // A subscription's news (subscriptions are kept on a session of the client's own); the SDK
    // also drops its cached read of that resource when it passes.
    method !== 'notifications/resources/updated' &&
    listChangedBy(method) === undefined
  );
}
