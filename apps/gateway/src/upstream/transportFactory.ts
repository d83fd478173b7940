import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { UpstreamSpec } from '../config/loadConfig.js';
import { NodeStreamableHttpClientTransport } from './nodeStreamableHttpClient.js';

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

const STDERR_LINES_KEPT = 8;

/**
 * The default factory: a child process over stdio (environment: the SDK's safe defaults plus the
 * server's `env`, as desktop clients do), Streamable HTTP (the gateway's own `node:http` client,
 * RFC 0006), or legacy SSE, with `headers` sent on every HTTP request.
 */
export const defaultTransportFactory: TransportFactory = (spec) => {
  const { config } = spec;
  if (spec.transport === 'stdio') {
    const transport = new StdioClientTransport({
      command: config.command!,
      args: config.args ?? [],
      env: config.env,
      cwd: config.cwd,
      stderr: 'pipe',
    });
    const lines: string[] = [];
    let partial = '';
    transport.stderr?.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim() !== '') lines.push(line);
      if (lines.length > STDERR_LINES_KEPT) lines.splice(0, lines.length - STDERR_LINES_KEPT);
    });
    return { transport, recentStderr: () => [...lines, ...(partial ? [partial] : [])] };
  }
  const url = new URL(config.url!);
  const headers = config.headers ?? {};
  const transport =
    spec.transport === 'sse'
      ? new SSEClientTransport(url, { requestInit: { headers } })
      : new NodeStreamableHttpClientTransport(url, { headers });
  return { transport, recentStderr: () => [] };
};
