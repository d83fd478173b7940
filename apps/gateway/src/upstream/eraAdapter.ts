import type {
  JSONRPCMessage,
  JSONRPCRequest,
  Transport,
  TransportSendOptions,
} from '@modelcontextprotocol/server';
import { META, STATELESS_VERSION, STATELESS_VERSIONS } from '../stateless/envelope.js';

/** Options of {@link createEraAdapter}. */
export interface EraAdapterOptions {
  /** How long the `server/discover` probe may take before the server is taken as 2025-11-25. */
  probeMs: number;
  /** Told once the server's revision is known. */
  onEra?: (stateless: boolean) => void;
  /**
   * The transport to use instead when the server speaks 2025-11-25 only (over HTTP the two
   * revisions are different transports; a stdio server keeps its pipe). @default the same one
   */
  fallback?: () => Transport;
}

/**
 * How long a stdio server may take to answer the `server/discover` probe before it is taken to
 * speak 2025-11-25 only (a 2025-11-25 server answers at once with an error, or not at all).
 */
export const ERA_PROBE_MS = 2000;

const PROBE_ID = 'selfheal-era-probe';
const LISTEN_ID = 'selfheal-listen';
/** Wait before a listen that ended is opened again, ms. */
const RELISTEN_MS = 1000;

/**
 * A transport to a server that finds out which MCP revision it speaks and, for one that speaks
 * 2026-07-28, lets a 2025-11-25 client (the SDK's, which the monitor and the gateway's shared
 * connection use) talk to it (RFC 0013): `server/discover` is the first message (on stdio a
 * server's era is fixed by it); a result naming 2026-07-28 makes the connection stateless,
 * anything else (an error, silence for `probeMs`) leaves it as it was, on `fallback` if given.
 *
 * On a stateless connection `initialize` is answered here from the discover result, `ping` is
 * sent as `server/discover`, `logging/setLevel` becomes the envelope's log level, and every other
 * request gets the envelope in `_meta` (the client's own capabilities and identity, from its
 * `initialize`) unless the request carries one already (a stateless caller's). Results pass
 * unchanged, `input_required` included. A `subscriptions/listen` opened after `initialized`
 * brings the server's list changes up as the usual notifications. Resource subscriptions are
 * acknowledged and not carried yet.
 */
export function createEraAdapter(first: Transport, options: EraAdapterOptions): Transport {
  let inner = first;
  let stateless = false;
  let discover: Record<string, unknown> | undefined;
  let capabilities: Record<string, unknown> = {};
  let clientInfo: Record<string, unknown> | undefined;
  let logLevel: string | undefined;
  /** Ids of `ping`s sent as `server/discover`: their answer goes up as `{}`. */
  const pings = new Set<string | number>();
  let probe: ((message: JSONRPCMessage | undefined) => void) | undefined;
  let closing = false;
  let relisten: ReturnType<typeof setTimeout> | undefined;

  const adapter: Transport = {
    async start() {
      const attach = (transport: Transport) => {
        transport.onmessage = (message, extra) => {
          if ('id' in message && message.id === PROBE_ID && !('method' in message)) {
            probe?.(message);
            return;
          }
          if (!stateless) return adapter.onmessage?.(message, extra);
          up(message, extra);
        };
        transport.onclose = () => {
          // Closed while the probe waits (the process died): no answer is coming.
          probe?.(undefined);
          adapter.onclose?.();
        };
        transport.onerror = (error) => adapter.onerror?.(error);
      };
      attach(inner);
      await inner.start();
      const answer = await new Promise<JSONRPCMessage | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), options.probeMs);
        probe = (message) => {
          clearTimeout(timer);
          resolve(message);
        };
        inner
          .send({
            jsonrpc: '2.0',
            id: PROBE_ID,
            method: 'server/discover',
            params: {
              _meta: {
                [META.protocolVersion]: STATELESS_VERSION,
                [META.clientCapabilities]: {},
              },
            },
          })
          .catch(() => probe?.(undefined));
      });
      probe = undefined;
      const result =
        answer && 'result' in answer ? (answer.result as Record<string, unknown>) : undefined;
      const versions = result?.supportedVersions;
      stateless = Array.isArray(versions) && versions.some((v) => STATELESS_VERSIONS.includes(v));
      if (stateless) discover = result;
      else if (options.fallback) {
        const probed = inner;
        probed.onclose = undefined;
        await probed.close().catch(() => {});
        inner = options.fallback();
        attach(inner);
        await inner.start();
      }
      options.onEra?.(stateless);
    },
    async send(message: JSONRPCMessage, sendOptions?: TransportSendOptions) {
      if (!stateless) return inner.send(message, sendOptions);
      if (!('method' in message)) return inner.send(message, sendOptions);
      if (!('id' in message)) {
        if (message.method === 'notifications/initialized') return listen();
        if (message.method === 'notifications/cancelled') return inner.send(message, sendOptions);
        return; // roots/list_changed and the like have no place in 2026-07-28
      }
      return request(message as JSONRPCRequest, sendOptions);
    },
    async close() {
      closing = true;
      clearTimeout(relisten);
      await inner.close();
    },
    setProtocolVersion(version: string) {
      if (!stateless) inner.setProtocolVersion?.(version);
    },
  };
  Object.defineProperty(adapter, 'sessionId', { get: () => inner.sessionId });

  const answerHere = (id: string | number, result: Record<string, unknown>) =>
    queueMicrotask(() => adapter.onmessage?.({ jsonrpc: '2.0', id, result }));

  const envelope = (meta: Record<string, unknown> | undefined) => ({
    [META.protocolVersion]: STATELESS_VERSION,
    [META.clientCapabilities]: capabilities,
    ...(clientInfo && { [META.clientInfo]: clientInfo }),
    ...(logLevel && { [META.logLevel]: logLevel }),
    ...meta,
  });

  const request = async (message: JSONRPCRequest, sendOptions?: TransportSendOptions) => {
    const params = (message.params ?? {}) as Record<string, unknown>;
    switch (message.method) {
      case 'initialize': {
        capabilities = (params.capabilities ?? {}) as Record<string, unknown>;
        clientInfo = params.clientInfo as Record<string, unknown> | undefined;
        const meta = (discover?._meta ?? {}) as Record<string, unknown>;
        answerHere(message.id, {
          protocolVersion: params.protocolVersion ?? '2025-11-25',
          capabilities: discover?.capabilities ?? {},
          serverInfo: meta[META.serverInfo] ?? { name: 'unknown', version: '0' },
          ...(typeof discover?.instructions === 'string' && {
            instructions: discover.instructions,
          }),
        });
        return;
      }
      case 'ping':
        pings.add(message.id);
        return inner.send(
          { ...message, method: 'server/discover', params: { _meta: envelope(undefined) } },
          sendOptions,
        );
      case 'logging/setLevel':
        logLevel = typeof params.level === 'string' ? params.level : undefined;
        answerHere(message.id, {});
        return;
      case 'resources/subscribe':
      case 'resources/unsubscribe':
        answerHere(message.id, {});
        return;
      default: {
        const meta = params._meta as Record<string, unknown> | undefined;
        return inner.send(
          { ...message, params: { ...params, _meta: envelope(meta) } },
          sendOptions,
        );
      }
    }
  };

  const listen = () =>
    inner.send({
      jsonrpc: '2.0',
      id: LISTEN_ID,
      method: 'subscriptions/listen',
      params: {
        notifications: {
          toolsListChanged: true,
          promptsListChanged: true,
          resourcesListChanged: true,
        },
        _meta: envelope(undefined),
      },
    });

  const up: NonNullable<Transport['onmessage']> = (message, extra) => {
    if ('id' in message && !('method' in message)) {
      // The listen ended (the server closed it, or its stream broke): listen again, as the
      // revision asks of a client, unless the connection is closing.
      if (message.id === LISTEN_ID) {
        if (!closing) relisten = setTimeout(() => void listen().catch(() => {}), RELISTEN_MS);
        return;
      }
      if (pings.delete(message.id!) && 'result' in message)
        return adapter.onmessage?.({ jsonrpc: '2.0', id: message.id!, result: {} }, extra);
    }
    if ('method' in message && message.method === 'notifications/subscriptions/acknowledged')
      return;
    adapter.onmessage?.(message, extra);
  };

  return adapter;
}
