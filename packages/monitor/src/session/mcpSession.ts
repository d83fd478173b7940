import type { ClientCapabilities, Implementation, Transport } from '@modelcontextprotocol/client';
import {
  Client,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client';
import type { Clock } from '@selfheal/internal';
import { monitorClock } from '../clock.js';
import { LIBRARY_DEFAULTS } from '../config/libraryDefaults.js';
import type { MonitoredServer } from '../config/registry.js';
import { errorMessage, MonitorError, MonitorErrorCode } from '../errors.js';
import type { SpawnedProcess } from '../supervisor/spawner.js';
import { createStreamTransport } from './streamTransport.js';

/**
 * Who the session's client is and how it reaches the server: what an embedder that uses the
 * monitor's session for its own traffic (the gateway's shared upstream connection) sets.
 */
export interface SessionProfile {
  /** `clientInfo` in `initialize`. @default { name: 'selfheal-monitor', version: '0.1.0' } */
  clientInfo?: Implementation;
  /** `capabilities` in `initialize`. @default {} */
  capabilities?: ClientCapabilities;
  /**
   * Called with the new client before the handshake, so that handlers for requests and
   * notifications the server sends are in place from its first message.
   */
  configure?: (client: Client, server: MonitoredServer) => void;
  /**
   * The transport to an HTTP or SSE server. A stdio server is always reached over the
   * supervised process's pipes. @default the SDK's Streamable HTTP or SSE client transport
   */
  createTransport?: (server: MonitoredServer) => Transport;
  /**
   * Wraps the transport before the client connects over it (a stdio server's pipes included):
   * an embedder's adapter, e.g. one that speaks another protocol revision to the server.
   * @default the transport as it is
   */
  wrapTransport?: (transport: Transport, server: MonitoredServer) => Transport;
  /**
   * Called right after the handshake (with the transport it ran on, and the server), before
   * anyone else sees the client.
   */
  connected?: (client: Client, transport: Transport, server: MonitoredServer) => void;
}

/** Options of {@link openSession}. */
export interface SessionOptions extends SessionProfile {
  /** Deadline for `initialize`, ms. @default 5000 */
  timeoutMs?: number;
  /** @default monitorClock */
  clock?: Clock;
  /** The client's name in `initialize` (ignored when `clientInfo` is set). @default 'selfheal-monitor' */
  clientName?: string;
}

/**
 * Opens an initialised MCP client session: over the supervised process's stdio for a stdio
 * server, or Streamable HTTP / SSE to `server.url`. The deadline runs on the injected clock.
 * @throws MonitorError SESSION_FAILED naming the server and why.
 */
export async function openSession(
  server: MonitoredServer,
  process: SpawnedProcess | undefined,
  options: SessionOptions = {},
): Promise<Client> {
  const clock = options.clock ?? monitorClock;
  const timeoutMs = options.timeoutMs ?? LIBRARY_DEFAULTS.health_check.timeout_seconds * 1000;
  const raw =
    server.transport !== 'stdio' && options.createTransport
      ? options.createTransport(server)
      : createTransport(server, process);
  const transport = options.wrapTransport ? options.wrapTransport(raw, server) : raw;
  const client = new Client(
    options.clientInfo ?? { name: options.clientName ?? 'selfheal-monitor', version: '0.1.0' },
    { capabilities: options.capabilities ?? {} },
  );
  client.onerror = () => {};
  options.configure?.(client, server);
  let timer: unknown;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = clock.setTimeout(
      () => reject(new Error(`initialize: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(transport, { timeout: 2 ** 31 - 1 }), deadline]);
    options.connected?.(client, transport, server);
    return client;
  } catch (cause) {
    await client.close().catch(() => {});
    throw new MonitorError(
      MonitorErrorCode.SessionFailed,
      `server "${server.name}": cannot open an MCP session: ${errorMessage(cause)}`,
      { cause },
    );
  } finally {
    clock.clearTimeout(timer);
  }
}

function createTransport(server: MonitoredServer, process: SpawnedProcess | undefined): Transport {
  if (server.transport === 'stdio') {
    if (!process) {
      throw new MonitorError(
        MonitorErrorCode.NotRunning,
        `server "${server.name}": no process to talk to`,
      );
    }
    return createStreamTransport(process.stdout, process.stdin);
  }
  const url = new URL(server.url!);
  const requestInit = { headers: server.headers };
  return server.transport === 'sse'
    ? new SSEClientTransport(url, { requestInit })
    : new StreamableHTTPClientTransport(url, { requestInit });
}

/**
 * Streamable HTTP: the server answered 404 to a request carrying its `Mcp-Session-Id`: it no
 * longer knows the session (expired, or the server restarted), so it did not process the
 * request, and a new session is all it takes.
 */
export function isSessionExpired(error: unknown): boolean {
  return error instanceof SdkHttpError && error.status === 404;
}
