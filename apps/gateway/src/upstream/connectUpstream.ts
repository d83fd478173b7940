import type { ClientCapabilities, Implementation } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/client';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { createEraAdapter, ERA_PROBE_MS } from './eraAdapter.js';
import { reportInvalidMessages } from './invalidMessages.js';
import { notificationsFirst } from './notificationsFirst.js';
import { createStatelessHttpTransport, statelessTargetOf } from './statelessHttpTransport.js';
import type { TransportFactory } from './transportFactory.js';

/** How to open one connection (one MCP session) to an upstream. */
export interface ConnectOptions {
  factory: TransportFactory;
  /** Sent as `clientInfo` in `initialize`. */
  clientInfo: Implementation;
  /** Sent as `capabilities` in `initialize`. @default {} */
  capabilities?: ClientCapabilities;
  /** Deadline of the initialize handshake, ms. */
  timeoutMs: number;
  /** Installs handlers before the handshake (server requests may arrive during it). */
  configure?: (client: Client) => void;
  /** Told of each message from the server that is not JSON-RPC (RFC 0017). @default ignored */
  onInvalidMessage?: (server: string, error: Error) => void;
}

/** A connected client and the stderr tail of its process (stdio). */
export interface UpstreamConnection {
  client: Client;
  recentStderr: () => string[];
}

/**
 * Opens a transport with the factory and runs the MCP handshake.
 * @throws Error whose message names the server, its transport and (stdio) its last stderr lines.
 */
export async function connectUpstream(
  spec: UpstreamSpec,
  options: ConnectOptions,
): Promise<UpstreamConnection> {
  const client = new Client(options.clientInfo, { capabilities: options.capabilities ?? {} });
  options.configure?.(client);
  let opened: ReturnType<TransportFactory> | undefined;
  try {
    opened = options.factory(spec);
    // Both revisions, as on the shared connection (RFC 0013).
    if (spec.transport === 'stdio')
      opened = {
        ...opened,
        transport: createEraAdapter(opened.transport, { probeMs: ERA_PROBE_MS }),
      };
    else if (spec.transport === 'streamable-http') {
      const legacy = opened.transport;
      opened = {
        ...opened,
        transport: createEraAdapter(createStatelessHttpTransport(statelessTargetOf(spec)), {
          probeMs: ERA_PROBE_MS,
          fallback: () => legacy,
        }),
      };
    }
    const { onInvalidMessage } = options;
    if (onInvalidMessage)
      reportInvalidMessages(opened.transport, (error) => onInvalidMessage(spec.name, error));
    await client.connect(opened.transport, { timeout: options.timeoutMs });
    notificationsFirst(opened.transport);
    return { client, recentStderr: opened.recentStderr };
  } catch (cause) {
    await client.close().catch(() => {});
    const stderr = opened?.recentStderr() ?? [];
    const tail =
      stderr.length > 0 ? `; its stderr ended with: ${stderr.slice(-3).join(' | ')}` : '';
    throw new Error(
      `cannot connect to server "${spec.name}" (${describeTarget(spec)}): ${reasonOf(cause)}${tail}`,
      { cause },
    );
  }
}

/** `stdio: node server.js` or `streamable-http: http://...`, for messages. */
export function describeTarget(spec: UpstreamSpec): string {
  const { config } = spec;
  if (spec.transport === 'stdio')
    return `stdio: ${[config.command, ...(config.args ?? [])].join(' ')}`;
  return `${spec.transport}: ${config.url}`;
}

/**
 * The message of an error. SDK 2.x carries a peer's JSON-RPC error message verbatim (1.x put
 * `MCP error <code>: ` before it, which was taken off here): a prefix now is the peer's own
 * text, and stays.
 */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
