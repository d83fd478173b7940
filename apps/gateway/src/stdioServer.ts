import type { Readable, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Gateway } from './gateway.js';

/**
 * Serves one client session over stdio (newline-delimited JSON-RPC on `stdin`/`stdout`).
 * Resolves when the input ends or the session closes; nothing but protocol goes to `stdout`.
 */
export async function serveStdio(
  gateway: Gateway,
  stdin: Readable = process.stdin,
  stdout: Writable = process.stdout,
): Promise<void> {
  const session = gateway.createSession();
  const transport = new StdioServerTransport(stdin, stdout);
  const ended = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    stdin.once('end', () => resolve());
    stdin.once('close', () => resolve());
  });
  await session.server.connect(transport);
  await ended;
  await transport.close().catch(() => {});
  await session.close();
}
