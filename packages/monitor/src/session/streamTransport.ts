import type { Readable, Writable } from 'node:stream';
import type { JSONRPCMessage, Transport } from '@modelcontextprotocol/client';
import { deserializeMessage, serializeMessage } from '@modelcontextprotocol/client';
import { createLineSplitter, type LineSplitter } from '@selfheal/internal';
import { MonitorError, MonitorErrorCode } from '../errors.js';

/** Options of {@link createStreamTransport}. */
export interface StreamTransportOptions {
  /**
   * A line longer than this many bytes closes the transport as lost (a `LINE_TOO_LONG` error
   * first); as the SDK's stdio limit.
   * @default 10485760 (10 MiB)
   */
  maxLineBytes?: number;
}

/** Default of {@link StreamTransportOptions.maxLineBytes}: the SDK's stdio buffer limit. */
export const DEFAULT_MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * Outputs whose current line is being thrown away after an oversized line: a transport opened
 * on one meanwhile starts at the next line, not in the middle of the long one.
 */
const skipping = new WeakSet<Readable>();

/**
 * An MCP client transport over the stdio of a process someone else owns: newline-delimited
 * JSON-RPC written to `input` (the child's stdin) and read from `output` (its stdout), each line
 * read by the SDK's own `deserializeMessage` and written by its `serializeMessage`. A line that
 * is not JSON-RPC is skipped and reported to `onerror` as a `MonitorError` INVALID_MESSAGE (a
 * protocol violation the gateway scores, RFC 0017). The lines are split here, not by the SDK's
 * `ReadBuffer`: since SDK 2.x that skips a line that is not JSON without a word.
 *
 * The SDK's `StdioClientTransport` always spawns its own child and cannot adopt one; the
 * supervisor must own the process (one live child per server, process groups, kill on exit),
 * so the session rides on the supervisor's pipes through this transport. `close()` only
 * detaches; it never signals the process.
 */
export function createStreamTransport(
  output: Readable,
  input: Writable,
  options: StreamTransportOptions = {},
): Transport {
  const maxLine = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let closed = false;
  /** Made by `start()`: whether the stream is inside a line is read then, not before. */
  let lines: LineSplitter | undefined;
  /** Whether the read being split ends with a newline (what follows an over-long line). */
  let readEndsLine = true;
  /** The wait for the pipe to drain, shared by every send that found it full. */
  let drainWait: Promise<void> | undefined;
  const transport: Transport = {
    async start() {
      // Started once: a second reader would pass every line on twice.
      if (lines) throw new Error('The stream transport is started already');
      if (closed)
        throw Object.assign(new Error('Not connected: the transport is closed'), { sent: false });
      // A process that has exited closed its pipes already, and 'close' will not come again:
      // a session must not wait on it for an answer (nor for its deadline).
      if (output.destroyed || output.readableEnded || input.destroyed || !input.writable) {
        closed = true;
        throw Object.assign(new Error('Not connected: the process has closed its stdio'), {
          sent: false,
        });
      }
      // The line limit is checked as data comes, so this holds at most one line's start.
      lines = createLineSplitter(readLine, {
        maxLineBytes: maxLine,
        onTooLong: tooLong,
        startInsideLine: skipping.has(output),
      });
      output.on('data', onData);
      output.on('error', onError);
      output.on('close', onClose);
      input.on('error', onError);
    },
    async send(message: JSONRPCMessage) {
      if (closed || input.destroyed || !input.writable) {
        // Nothing was written: the request is safe to send again on a new session.
        throw Object.assign(new Error('Not connected: the process stdin is closed'), {
          sent: false,
        });
      }
      if (!input.write(serializeMessage(message))) await drained();
    },
    async close() {
      onClose();
    },
  };
  /**
   * Resolves when the pipe has room again. One wait for every sender: a server that stops
   * reading its stdin while many calls are sent must not gather a `drain` listener per call.
   */
  function drained(): Promise<void> {
    drainWait ??= new Promise<void>((resolve) => {
      const done = () => {
        input.off('drain', done);
        input.off('close', done);
        drainWait = undefined;
        resolve();
      };
      // A pipe that closes full never drains: its senders are let go (the session is lost).
      input.once('drain', done);
      input.once('close', done);
    });
    return drainWait;
  }
  function onData(chunk: Buffer) {
    readEndsLine = chunk[chunk.length - 1] === 10;
    lines?.push(chunk);
  }
  /** Reads one line as a JSON-RPC message and passes it on. */
  function readLine(text: string) {
    let message: JSONRPCMessage;
    try {
      message = deserializeMessage(text.endsWith('\r') ? text.slice(0, -1) : text);
    } catch (error) {
      // A line that is not JSON-RPC (a server logging to stdout) is reported and skipped.
      transport.onerror?.(invalidLine(error));
      return;
    }
    deliver(message);
  }
  /**
   * Passes `message` on. What the consumer throws is its own failure, not the server's: it goes
   * to `onerror` as it is (as the SDK's stdio transport does) and the lines after it are read.
   */
  function deliver(message: JSONRPCMessage) {
    try {
      transport.onmessage?.(message);
    } catch (error) {
      transport.onerror?.(error instanceof Error ? error : new Error(String(error)));
    }
  }
  /** An oversized line: lost, as a broken pipe; the rest of the line is read and thrown away. */
  function tooLong(bytes: number, ended: boolean) {
    transport.onerror?.(
      new MonitorError(
        MonitorErrorCode.LineTooLong,
        `wrote a line of ${bytes} bytes or more to stdout, over the limit of ${maxLine} bytes`,
        { data: { bytes, limit: maxLine } },
      ),
    );
    // The rest of this read is dropped with the session: if it ends inside a line (the next
    // message's start), the next session on this output starts at the newline after it. Marked
    // before the close, so a session opened from `onclose` knows it too.
    const midLine = !(ended && readEndsLine);
    if (midLine) skipping.add(output);
    onClose();
    if (!midLine) return;
    const discard = (more: Buffer) => {
      if (more.indexOf(10) === -1) return;
      skipping.delete(output);
      output.off('data', discard);
    };
    output.on('data', discard);
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
    lines?.stop();
    transport.onclose?.();
  }
  return transport;
}

/**
 * The error of a stdout line that is not JSON-RPC: the SDK's `deserializeMessage` throws JSON's
 * SyntaxError (which quotes the start of the line) or the schema's verdict on JSON of another
 * shape.
 */
function invalidLine(cause: unknown): MonitorError {
  const why =
    cause instanceof SyntaxError
      ? `not JSON (${cause.message})`
      : 'JSON, but not a JSON-RPC message';
  return new MonitorError(
    MonitorErrorCode.InvalidMessage,
    `wrote a line to stdout that is ${why}; stdout is for JSON-RPC only (log to stderr)`,
    { cause },
  );
}
