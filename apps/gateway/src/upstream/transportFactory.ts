import type { Transport } from '@modelcontextprotocol/client';
import { SSEClientTransport } from '@modelcontextprotocol/client';
import type { Clock } from '@selfheal/internal';
import { createNodeSpawner, createStderrTail, type Spawner } from '@selfheal/monitor';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { NodeStreamableHttpClientTransport } from './nodeStreamableHttpClient.js';
import { createProcessTransport } from './processTransport.js';

/** A started-on-connect transport to one upstream, plus the last lines it wrote to stderr. */
export interface UpstreamTransport {
  transport: Transport;
  /** Last stderr lines of a stdio process (newest last), for error messages; [] otherwise. */
  recentStderr: () => string[];
}

/**
 * Creates the transport for one connection to an upstream. This is the gateway's spawner seam:
 * tests and embedders can pass their own (an in-memory pair, a fake process).
 */
export type TransportFactory = (spec: UpstreamSpec) => UpstreamTransport;

/** A process's stderr kept for its error messages: its last lines, within a size. */
const STDERR_LINES_KEPT = 8;
const STDERR_BYTES_KEPT = 4096;

/** Options of {@link createTransportFactory}. */
export interface TransportFactoryOptions {
  /**
   * Starts stdio servers: each in its own process group, killed with the gateway even on
   * SIGKILL (RFC 0011). @default createNodeSpawner()
   */
  spawner?: Spawner;
  /** On close, how long a stdio process gets after stdin ends and after SIGTERM, ms. @default 2000 */
  closeGraceMs?: number;
  /** @default systemClock */
  clock?: Clock;
}

/**
 * A factory of child processes over stdio (environment: the spawner's safe defaults plus the
 * server's `env`, as desktop clients do), Streamable HTTP (the gateway's own `node:http`
 * client, RFC 0006), or legacy SSE, with `headers` sent on every HTTP request.
 */
export function createTransportFactory(options: TransportFactoryOptions = {}): TransportFactory {
  const spawner = options.spawner ?? createNodeSpawner();
  return (spec) => {
    const { config } = spec;
    if (spec.transport === 'stdio') {
      const spawned = spawner.spawn({
        command: config.command!,
        args: config.args ?? [],
        env: config.env ?? {},
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      });
      const transport = createProcessTransport(spawned, {
        ...(options.closeGraceMs === undefined ? {} : { closeGraceMs: options.closeGraceMs }),
        ...(options.clock === undefined ? {} : { clock: options.clock }),
      });
      const tail = createStderrTail(spawned.stderr, {
        maxLines: STDERR_LINES_KEPT,
        maxBytes: STDERR_BYTES_KEPT,
      });
      return { transport, recentStderr: () => tail.lines() };
    }
    const url = new URL(config.url!);
    const headers = config.headers ?? {};
    const transport =
      spec.transport === 'sse'
        ? new SSEClientTransport(url, { requestInit: { headers } })
        : new NodeStreamableHttpClientTransport(url, { headers });
    return { transport, recentStderr: () => [] };
  };
}

/** {@link createTransportFactory} with its defaults. */
export const defaultTransportFactory: TransportFactory = createTransportFactory();
