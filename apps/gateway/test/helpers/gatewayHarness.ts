import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { ClientCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { resolveConfig } from '../../src/config/loadConfig.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway.js';
import { createHttpServer } from '../../src/http/httpServer.js';

/** A gateway on 127.0.0.1, port 0, over a config document; `stop()` ends it and its clients. */
export interface RunningGateway {
  gateway: Gateway;
  url: string;
  port: number;
  /** A connected SDK client through the gateway (closed by `stop()`). */
  connect(capabilities?: ClientCapabilities, name?: string): Promise<Client>;
  stop(): Promise<void>;
}

/** Extras of {@link startGateway}. */
export interface StartOptions {
  /** Passed to `createGateway` (e.g. a spawner that holds restarts). */
  gatewayOptions?: Omit<GatewayOptions, 'config'>;
  /** Runs after the gateway is created and before it starts (attach a log, subscribe). */
  beforeStart?: (gateway: Gateway) => Promise<void> | void;
}

/** Starts a gateway for a test. */
export async function startGateway(
  document: Record<string, unknown>,
  tokens: string[] = [],
  options: StartOptions = {},
): Promise<RunningGateway> {
  const config = resolveConfig(
    {
      ...document,
      gateway: { port: 0, ...(document.gateway as object) },
      // The servers tests run serve no W3 /health: the monitor checks them with MCP ping.
      health_check: { probes: ['ping'], ...(document.health_check as object) },
    },
    'test-config',
  );
  const gateway = createGateway({ ...options.gatewayOptions, config });
  await options.beforeStart?.(gateway);
  const http = createHttpServer({ gateway, tokens });
  const { url, port } = await http.listen();
  await gateway.start();
  const clients: Client[] = [];
  return {
    gateway,
    url,
    port,
    async connect(capabilities = {}, name = 'test-client') {
      const client = new Client({ name, version: '1.0.0' }, { capabilities });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)) as Transport);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await http.close();
      await gateway.stop();
    },
  };
}

/** Resolves with the first notification of `method` a client receives. */
export function nextNotification(
  client: Client,
  method: string,
  matches: (params: Record<string, unknown> | undefined) => boolean = () => true,
): Promise<{ method: string; params?: Record<string, unknown> }> {
  return new Promise((resolve) => {
    const previous = client.fallbackNotificationHandler;
    client.fallbackNotificationHandler = async (notification) => {
      if (notification.method === method && matches(notification.params)) {
        client.fallbackNotificationHandler = previous;
        resolve(notification as { method: string; params?: Record<string, unknown> });
      }
      await previous?.(notification);
    };
  });
}
