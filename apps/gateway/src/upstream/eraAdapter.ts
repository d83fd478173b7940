import type { JSONRPCMessage, Transport, TransportSendOptions } from '@modelcontextprotocol/server';
import { EraProbe } from './eraProbe.js';
import { deliveringOrigin, originOf, type RequestOrigins } from './requestOrigins.js';
import { type EraLink, StatelessTranslation } from './statelessTranslation.js';

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

/**
 * A transport to a server that finds out which MCP revision it speaks and, for one that speaks
 * 2026-07-28, lets a 2025-11-25 client (the SDK's, which the monitor and the gateway's shared
 * connection use) talk to it (RFC 0013): `server/discover` is the first message (on stdio a
 * server's era is fixed by it); a result naming 2026-07-28 makes the connection stateless,
 * anything else (an error, silence for `probeMs`) leaves it as it was, on `fallback` if given.
 * What a stateless connection changes on the way is {@link StatelessTranslation}'s.
 */
export function createEraAdapter(
  first: Transport,
  options: EraAdapterOptions,
): Transport & RequestOrigins {
  const probe = new EraProbe();
  let translation: StatelessTranslation | undefined;
  const attach = (transport: Transport) => {
    transport.onmessage = (message, extra) => {
      if (probe.take(message)) return;
      if (translation === undefined) return adapter.onmessage?.(message, extra);
      translation.up(message, extra);
    };
    transport.onclose = () => {
      // Closed while the probe waits (the process died): no answer is coming.
      probe.abandon();
      adapter.onclose?.();
    };
    transport.onerror = (error) => adapter.onerror?.(error);
  };

  const adapter: Transport & RequestOrigins = {
    async start() {
      attach(link.inner);
      await link.inner.start();
      const discover = await probe.run(link.inner, options.probeMs);
      if (discover !== undefined) translation = new StatelessTranslation(link, discover);
      else if (options.fallback) {
        const probed = link.inner;
        probed.onclose = undefined;
        await probed.close().catch(() => {});
        link.inner = options.fallback();
        attach(link.inner);
        await link.inner.start();
      }
      options.onEra?.(translation !== undefined);
    },
    async send(message: JSONRPCMessage, sendOptions?: TransportSendOptions) {
      if (translation === undefined) return link.inner.send(message, sendOptions);
      return translation.send(message, sendOptions);
    },
    async close() {
      link.closing = true;
      translation?.stop();
      await link.inner.close();
    },
    setProtocolVersion(version: string) {
      if (translation === undefined) link.inner.setProtocolVersion?.(version);
    },
    originOf: (id) => originOf(link.inner, id),
    deliveringOrigin: () => deliveringOrigin(link.inner),
  };
  const link: EraLink = { inner: first, outer: adapter, closing: false };
  Object.defineProperty(adapter, 'sessionId', { get: () => link.inner.sessionId });
  return adapter;
}
