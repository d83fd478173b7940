import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/server';
import { META, STATELESS_VERSION, STATELESS_VERSIONS } from '../stateless/envelope.js';

const PROBE_ID = 'selfheal-era-probe';

/**
 * The `server/discover` probe that tells which MCP revision a server speaks (RFC 0013). Its
 * answer arrives through the transport's handlers, which the adapter owns: they hand it over
 * with {@link take}, and {@link abandon} when the transport closes under the probe.
 */
export class EraProbe {
  private settle: ((message: JSONRPCMessage | undefined) => void) | undefined;

  /** Whether `message` is the probe's answer; it is then taken here (late ones are dropped). */
  take(message: JSONRPCMessage): boolean {
    if (!('id' in message) || message.id !== PROBE_ID || 'method' in message) return false;
    this.settle?.(message);
    return true;
  }

  /** No answer is coming (the process died): the probe ends now, not after its time. */
  abandon(): void {
    this.settle?.(undefined);
  }

  /**
   * Sends the probe over `transport` and waits up to `probeMs` for its answer. Resolves to the
   * discover result when it names a 2026-07-28 revision; undefined for anything else (an
   * error, silence, a closed transport), which means 2025-11-25.
   */
  async run(transport: Transport, probeMs: number): Promise<Record<string, unknown> | undefined> {
    const answer = await new Promise<JSONRPCMessage | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), probeMs);
      this.settle = (message) => {
        clearTimeout(timer);
        resolve(message);
      };
      transport
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
        .catch(() => this.settle?.(undefined));
    });
    this.settle = undefined;
    const result =
      answer && 'result' in answer ? (answer.result as Record<string, unknown>) : undefined;
    const versions = result?.supportedVersions;
    const stateless =
      Array.isArray(versions) && versions.some((v) => STATELESS_VERSIONS.includes(v));
    return stateless ? result : undefined;
  }
}
