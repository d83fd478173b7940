import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthEndpointError, HealthEndpointErrorCode } from './errors.js';
import type { HealthEndpoint } from './healthEndpoint.js';

/** Options of {@link startHealthServer}. */
export interface HealthServerOptions {
  /**
   * Port to listen on; 0 picks a free one (read it from `port` or `url`).
   * @default 0
   */
  port?: number;
  /**
   * Interface to bind. Keep the loopback default unless a monitor on another host must reach it.
   * @default '127.0.0.1'
   */
  host?: string;
}

/** A running side-port health server. */
export interface HealthServer {
  /** The full health URL, e.g. `http://127.0.0.1:41234/health`. */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops listening and closes open connections; resolves when closed. Idempotent. */
  close(): Promise<void>;
}

/**
 * Serves only the health endpoint on its own port: for stdio MCP servers, which have no HTTP
 * server to mount it on. Anything but the health routes gets a JSON 404.
 * Rejects with {@link HealthEndpointError} `LISTEN_FAILED` when the port cannot be bound.
 */
export function startHealthServer(
  endpoint: HealthEndpoint,
  options: HealthServerOptions = {},
): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  const server = createServer(endpoint.listener());
  return new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new HealthEndpointError(
          HealthEndpointErrorCode.ListenFailed,
          `health server: cannot listen on ${host}:${port}: ${(error as Error).message}; choose another port or 0 for a free one`,
          { cause: error, data: { host, port } },
        ),
      ),
    );
    server.listen(port, host, () => {
      const bound = (server.address() as AddressInfo).port;
      const shown = host.includes(':') ? `[${host}]` : host;
      let closing: Promise<void> | undefined;
      resolve({
        url: `http://${shown}:${bound}${endpoint.path}`,
        port: bound,
        server,
        close: () => {
          closing ??= new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          return closing;
        },
      });
    });
  });
}
