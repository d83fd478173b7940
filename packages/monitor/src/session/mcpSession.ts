import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { type Clock, systemClock } from '../clock.js';
import type { MonitoredServer } from '../config/registry.js';
import { errorMessage, MonitorError, MonitorErrorCode } from '../errors.js';
import type { SpawnedProcess } from '../supervisor/spawner.js';
import { createStreamTransport } from './streamTransport.js';

/** Options of {@link openSession}. */
export interface SessionOptions {
  /** Deadline for `initialize`, ms. @default 5000 */
  timeoutMs?: number;
  /** @default systemClock */
  clock?: Clock;
  /** The client's name in `initialize`. @default 'selfheal-monitor' */
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
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 5000;
  const transport = createTransport(server, process);
  const client = new Client({ name: options.clientName ?? 'selfheal-monitor', version: '0.1.0' });
  client.onerror = () => {};
  let timer: unknown;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = clock.setTimeout(
      () => reject(new Error(`initialize: no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([client.connect(transport, { timeout: 2 ** 31 - 1 }), deadline]);
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
  return error instanceof StreamableHTTPError && error.code === 404;
}
