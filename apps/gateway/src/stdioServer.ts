import { type Readable, Transform, type Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio';
import { createLineSplitter } from '@selfheal/internal';
import type { Gateway } from './gateway.js';
import { jsonRpcErrorBody, parseJsonRpcBody } from './http/jsonRpcBody.js';
import { isStatelessRequest } from './stateless/envelope.js';
import type { StatelessRequest } from './stateless/statelessGateway.js';

/** Longest line accepted on stdin before it is answered with an error and dropped. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Serves one client session over stdio (newline-delimited JSON-RPC on `stdin`/`stdout`).
 * A line that is not JSON-RPC is answered with a JSON-RPC error (`-32700`/`-32600`, id null)
 * and dropped; the session goes on. Resolves when the input ends or the session closes;
 * nothing but protocol goes to `stdout`.
 */
export async function serveStdio(
  gateway: Gateway,
  stdin: Readable = process.stdin,
  stdout: Writable = process.stdout,
): Promise<void> {
  const session = gateway.createSession();
  const stateless = createStatelessLines(gateway, stdout);
  const checked = stdin.pipe(createLineGuard(stdout, stateless.divert));
  const transport = new StdioServerTransport(checked, stdout);
  const ended = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    stdin.once('end', () => resolve());
    stdin.once('close', () => resolve());
  });
  await session.server.connect(transport);
  await ended;
  stateless.close();
  await transport.close().catch(() => {});
  await session.close();
}

/**
 * Stateless (MCP 2026-07-28) requests on a stdio connection: served by the gateway's stateless
 * face, answered on `out`; their notifications before their answers; `notifications/cancelled`
 * naming one aborts it. Anything else is left to the 2025-11-25 session.
 */
function createStatelessLines(gateway: Gateway, out: Writable) {
  const open = new Map<string | number, AbortController>();
  const write = (message: unknown) => {
    if (!out.writableEnded) out.write(`${JSON.stringify(message)}\n`);
  };
  return {
    divert(message: Record<string, unknown>): boolean {
      if (message.method === 'notifications/cancelled') {
        const id = (message.params as { requestId?: string | number } | undefined)?.requestId;
        const controller = id === undefined ? undefined : open.get(id);
        controller?.abort();
        return controller !== undefined;
      }
      if (!('id' in message) || !isStatelessRequest(message)) return false;
      const request = message as unknown as StatelessRequest;
      const controller = new AbortController();
      open.set(request.id, controller);
      void gateway.stateless
        .serve(request, {
          notify: (notification) => write({ jsonrpc: '2.0', ...notification }),
          signal: controller.signal,
        })
        .then((reply) => {
          const body = 'result' in reply ? { result: reply.result } : { error: reply.error };
          write({ jsonrpc: '2.0', id: request.id, ...body });
        })
        .finally(() => open.delete(request.id));
      return true;
    },
    close() {
      for (const controller of open.values()) controller.abort();
      open.clear();
    },
  };
}

/**
 * Passes JSON-RPC lines through; answers any other line on `out` with a JSON-RPC error. A
 * message `divert` takes (returns true for) is not passed on. Lines are split from the bytes
 * (a character cut between two reads stays whole; a long line is copied once). A line over
 * {@link MAX_LINE_BYTES} is answered with an error and the rest of it, up to its newline, is
 * dropped.
 */
export function createLineGuard(
  out: Writable,
  divert: (message: Record<string, unknown>) => boolean = () => false,
): Transform {
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      lines.push(chunk);
      done();
    },
    flush(done) {
      // The last line, if the input ended without its newline.
      if (lines.pendingBytes > 0) lines.push(Buffer.from('\n'));
      done();
    },
  });
  const lines = createLineSplitter(
    (line) => {
      if (line.trim() === '') return;
      const parsed = parseJsonRpcBody(line);
      if (!parsed.ok) out.write(`${jsonRpcErrorBody(parsed.code, parsed.message)}\n`);
      else if (Array.isArray(parsed.body) || !divert(parsed.body as Record<string, unknown>))
        guard.push(`${line}\n`);
    },
    {
      maxLineBytes: MAX_LINE_BYTES,
      onTooLong: () =>
        out.write(
          `${jsonRpcErrorBody(-32600, `Invalid Request: a line longer than ${MAX_LINE_BYTES} bytes`)}\n`,
        ),
    },
  );
  return guard;
}
