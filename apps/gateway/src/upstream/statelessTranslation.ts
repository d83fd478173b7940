import type {
  JSONRPCMessage,
  JSONRPCRequest,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server';
import { META, STATELESS_VERSION } from '../stateless/envelope.js';

const LISTEN_ID = 'selfheal-listen';
/** Wait before a listen that ended is opened again, ms. */
const RELISTEN_MS = 1000;

/** The two ends an era adapter joins, shared with the translation it holds. */
export interface EraLink {
  /** The transport to the server (the fallback's, once the probe chose it). */
  inner: Transport;
  /** The adapter itself, whose `onmessage` the client set. */
  readonly outer: Transport;
  /** Set once the adapter closes: a listen that ends then is not opened again. */
  closing: boolean;
}

/**
 * Lets a 2025-11-25 client (the SDK's) talk to a server that speaks 2026-07-28 (RFC 0013):
 * `initialize` is answered here from the discover result, `ping` is sent as `server/discover`,
 * `logging/setLevel` becomes the envelope's log level, and every other request gets the
 * envelope in `_meta` (the client's own capabilities and identity, from its `initialize`)
 * unless the request carries one already (a stateless caller's). Results pass unchanged,
 * `input_required` included. A `subscriptions/listen` opened after `initialized` brings the
 * server's list changes up as the usual notifications. Resource subscriptions are acknowledged
 * and not carried yet.
 */
export class StatelessTranslation {
  private capabilities: Record<string, unknown> = {};
  private clientInfo: Record<string, unknown> | undefined;
  private logLevel: string | undefined;
  /** Ids of `ping`s sent as `server/discover`: their answer goes up as `{}`. */
  private readonly pings = new Set<string | number>();
  private relisten: ReturnType<typeof setTimeout> | undefined;

  /** `discover`: the server's answer to the probe, whose capabilities `initialize` reports. */
  constructor(
    private readonly link: EraLink,
    private readonly discover: Record<string, unknown>,
  ) {}

  /** A message from the client, as the server's revision has it (some answered here). */
  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (!('method' in message)) return this.link.inner.send(message, options);
    if (!('id' in message)) {
      if (message.method === 'notifications/initialized') return this.listen();
      if (message.method === 'notifications/cancelled')
        return this.link.inner.send(message, options);
      return; // roots/list_changed and the like have no place in 2026-07-28
    }
    return this.request(message as JSONRPCRequest, options);
  }

  /** A message from the server, as the client expects it. */
  readonly up: NonNullable<Transport['onmessage']> = (message, extra) => {
    const { outer } = this.link;
    if ('id' in message && !('method' in message)) {
      // The listen ended (the server closed it, or its stream broke): listen again, as the
      // revision asks of a client, unless the connection is closing.
      if (message.id === LISTEN_ID) {
        if (!this.link.closing)
          this.relisten = setTimeout(() => void this.listen().catch(() => {}), RELISTEN_MS);
        return;
      }
      if (this.pings.delete(message.id!) && 'result' in message)
        return outer.onmessage?.({ jsonrpc: '2.0', id: message.id!, result: {} }, extra);
    }
    if ('method' in message && message.method === 'notifications/subscriptions/acknowledged')
      return;
    outer.onmessage?.(message, extra);
  };

  /** Cancels a pending re-listen (the adapter is closing). */
  stop(): void {
    clearTimeout(this.relisten);
  }

  private async request(message: JSONRPCRequest, options?: TransportSendOptions): Promise<void> {
    const params = (message.params ?? {}) as Record<string, unknown>;
    const { inner } = this.link;
    switch (message.method) {
      case 'initialize': {
        this.capabilities = (params.capabilities ?? {}) as Record<string, unknown>;
        this.clientInfo = params.clientInfo as Record<string, unknown> | undefined;
        const { discover } = this;
        const meta = (discover._meta ?? {}) as Record<string, unknown>;
        this.answerHere(message.id, {
          protocolVersion: params.protocolVersion ?? '2025-11-25',
          capabilities: discover.capabilities ?? {},
          serverInfo: meta[META.serverInfo] ?? { name: 'unknown', version: '0' },
          ...(typeof discover.instructions === 'string' && {
            instructions: discover.instructions,
          }),
        });
        return;
      }
      case 'ping':
        this.pings.add(message.id);
        return inner.send(
          { ...message, method: 'server/discover', params: { _meta: this.envelope(undefined) } },
          options,
        );
      case 'logging/setLevel':
        this.logLevel = typeof params.level === 'string' ? params.level : undefined;
        this.answerHere(message.id, {});
        return;
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        this.answerHere(message.id, {});
        return;
      default: {
        const meta = params._meta as Record<string, unknown> | undefined;
        return inner.send(
          { ...message, params: { ...params, _meta: this.envelope(meta) } },
          options,
        );
      }
    }
  }

  private answerHere(id: string | number, result: Record<string, unknown>): void {
    queueMicrotask(() => this.link.outer.onmessage?.({ jsonrpc: '2.0', id, result }));
  }

  /** The client's envelope, under what a request's own `_meta` already says. */
  private envelope(meta: Record<string, unknown> | undefined): Record<string, unknown> {
    return {
      [META.protocolVersion]: STATELESS_VERSION,
      [META.clientCapabilities]: this.capabilities,
      ...(this.clientInfo && { [META.clientInfo]: this.clientInfo }),
      ...(this.logLevel && { [META.logLevel]: this.logLevel }),
      ...meta,
    };
  }

  private listen(): Promise<void> {
    return this.link.inner.send({
      jsonrpc: '2.0',
      id: LISTEN_ID,
      method: 'subscriptions/listen',
      params: {
        notifications: {
          toolsListChanged: true,
          promptsListChanged: true,
          resourcesListChanged: true,
        },
        _meta: this.envelope(undefined),
      },
    });
  }
}
