import { type Readable, Transform, type Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Gateway } from './gateway.js';
import { jsonRpcErrorBody, parseJsonRpcBody } from './http/jsonRpcBody.js';

/** Longest line accepted on stdin before it is answered with an error and dropped. */
const MAX_LINE_BYTES = 4 * 1024 * 1024;

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
  const checked = stdin.pipe(createLineGuard(stdout));
  const transport = new StdioServerTransport(checked, stdout);
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

/** Passes JSON-RPC lines through; answers any other line on `out` with a JSON-RPC error. */
export function createLineGuard(out: Writable): Transform {
  let partial = '';
  const check = (line: string, push: (text: string) => void) => {
    if (line.trim() === '') return;
    const parsed = parseJsonRpcBody(line);
    if (parsed.ok) push(`${line}\n`);
    else out.write(`${jsonRpcErrorBody(parsed.code, parsed.message)}\n`);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > MAX_LINE_BYTES) {
        partial = '';
        out.write(
          `${jsonRpcErrorBody(-32600, `Invalid Request: a line longer than ${MAX_LINE_BYTES} bytes`)}\n`,
        );
      }
      for (const line of lines) check(line, (text) => this.push(text));
      done();
    },
    flush(done) {
      check(partial, (text) => this.push(text));
      done();
    },
  });
}
