import type { Readable, Writable } from 'node:stream';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * An MCP client transport over the stdio of a process someone else owns: newline-delimited
 * JSON-RPC written to `input` (the child's stdin) and read from `output` (its stdout), framed
 * by the SDK's own `ReadBuffer` and `serializeMessage`.
 *
 * The SDK's `StdioClientTransport` always spawns its own child and cannot adopt one; the
 * supervisor must own the process (one live child per server, process groups, kill on exit),
 * so the session rides on the supervisor's pipes through this transport. `close()` only
 * detaches; it never signals the process.
 */
export function createStreamTransport(output: Readable, input: Writable): Transport {
  const buffer = new ReadBuffer();
  let closed = false;
  const transport: Transport = {
    async start() {
      output.on('data', onData);
      output.on('error', onError);
      output.on('close', onClose);
      input.on('error', onError);
    },
    send(message: JSONRPCMessage) {
      return new Promise<void>((resolve, reject) => {
        if (closed || input.destroyed || !input.writable) {
          reject(new Error('Not connected: the process stdin is closed'));
          return;
        }
        if (input.write(serializeMessage(message))) resolve();
        else input.once('drain', resolve);
      });
    },
    async close() {
      onClose();
    },
  };
  function onData(chunk: Buffer) {
    try {
      buffer.append(chunk);
    } catch (error) {
      transport.onerror?.(error as Error);
      return;
    }
    for (;;) {
      try {
        const message = buffer.readMessage();
        if (message === null) break;
        transport.onmessage?.(message);
      } catch (error) {
        // A line that is not JSON-RPC (a server logging to stdout) is reported and skipped.
        transport.onerror?.(error as Error);
      }
    }
  }
  function onError(error: Error) {
    transport.onerror?.(error);
  }
  function onClose() {
    if (closed) return;
    closed = true;
    output.off('data', onData);
    output.off('error', onError);
    output.off('close', onClose);
    input.off('error', onError);
    buffer.clear();
    transport.onclose?.();
  }
  return transport;
}
