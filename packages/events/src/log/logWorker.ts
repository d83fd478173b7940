// The scanning half of a replay on a second thread: reads a log in chunks, checks each line and
// finds its fold fields with the `LineLocator`, and posts each chunk with one record per line to
// the thread that folds. That thread builds the strings (`LineTaker.located`) and takes
// declined lines the exact way, so what is accepted and reported does not change.
// `runLogWorker` takes its port as an argument, so tests can run it on a MessageChannel.
import { closeSync, openSync, readSync } from 'node:fs';
import type { MessagePort } from 'node:worker_threads';
import { createLineChunker } from './lineChunker.js';
import { createLineLocator, type LineRecords, lineRecords } from './lineLocator.js';

/** What the reading thread asks of the worker. */
export interface LogWorkerData {
  file: string;
  chunkBytes: number;
  maxLineBytes: number;
  /** Chunks the worker may post before the reader hands one back (bounds memory). */
  inFlight: number;
}

/** Worker to reader, in file order. */
export type LogWorkerMessage =
  | {
      type: 'lines';
      /** The chunk; its complete lines run from `start` to the `\n` of the last record. */
      bytes: Uint8Array;
      start: number;
      count: number;
      /** One record per line (`RECORD_INTS` ints each; see `LineLocator`). */
      records: Int32Array;
      /** Per accepted line, its timestamp in epoch ms. */
      ms: Float64Array;
      /** The records' packed values (`LineRecords.strings`), `stringBytes` of them filled. */
      strings: Uint8Array;
      stringBytes: number;
      /** Bytes read from the file since the last message. */
      read: number;
    }
  /** A line longer than `maxLineBytes` starts here; its first bytes, for the report. */
  | { type: 'long'; preview: string }
  /** The newline that ends that long line was found. */
  | { type: 'long-end' }
  /** End of file; `tail` holds an unterminated last line. */
  | { type: 'end'; tail?: Uint8Array; read: number }
  /** The file could not be opened or read. */
  | { type: 'error'; code?: string; message: string };

/** Reader to worker: a chunk was folded; its arrays come back for reuse. */
export interface LogWorkerCredit {
  type: 'credit';
  bytes: Uint8Array;
  records: Int32Array;
  ms: Float64Array;
  strings: Uint8Array;
}

/** Runs the worker's side of the protocol on `port` until the end of the file. */
export async function runLogWorker(port: MessagePort, data: LogWorkerData): Promise<void> {
  const { file, chunkBytes, maxLineBytes, inFlight } = data;
  const locator = createLineLocator();
  let credits = inFlight;
  let wake: (() => void) | undefined;
  const buffers: Buffer[] = [];
  const recycled: LineRecords[] = [];
  const onCredit = (m: LogWorkerCredit) => {
    credits++;
    if (m.bytes.byteLength === chunkBytes) {
      buffers.push(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
    }
    recycled.push({
      records: m.records,
      ms: m.ms,
      count: 0,
      strings: m.strings,
      stringBytes: 0,
    });
    wake?.();
    wake = undefined;
  };
  port.on('message', onCredit);
  const post = (message: LogWorkerMessage, transfer: ArrayBuffer[] = []) =>
    port.postMessage(message, transfer);

  // Plain blocking reads: this thread has nothing else to do meanwhile, and a read through the
  // thread pool costs a hop per chunk (measured: 0.4-0.6 s of waiting per 295 MB).
  let fd: number;
  try {
    if (!locator) throw new Error('this runtime has no WebAssembly SIMD to scan lines with');
    fd = openSync(file, 'r');
  } catch (error) {
    post(failure(error));
    port.off('message', onCredit);
    return;
  }
  const chunks = createLineChunker(
    chunkBytes,
    maxLineBytes,
    (bytes) => (bytes === chunkBytes ? buffers.pop() : undefined) ?? Buffer.allocUnsafeSlow(bytes),
  );
  try {
    let located: LineRecords = lineRecords();
    let read = 0;
    for (;;) {
      const { buffer, offset, length, long } = chunks.target();
      if (long !== undefined) post({ type: 'long', preview: long });
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, buffer, offset, length, null);
      } catch (error) {
        post(failure(error));
        return;
      }
      read += bytesRead;
      if (bytesRead === 0) break;
      const step = chunks.took(bytesRead);
      if (step.longEnded) post({ type: 'long-end' });
      if (!step.lines) continue;
      const { start, last } = step.lines;
      locator.locate(buffer, start, last, located);
      // The unfinished line moves to the next buffer; this one goes to the reader.
      chunks.carry(buffers.pop() ?? Buffer.allocUnsafeSlow(chunkBytes));
      while (credits === 0) await new Promise<void>((resolve) => (wake = resolve));
      credits--;
      const { records, ms, count, strings, stringBytes } = located;
      post(
        { type: 'lines', bytes: buffer, start, count, records, ms, strings, stringBytes, read },
        [
          buffer.buffer as ArrayBuffer,
          records.buffer as ArrayBuffer,
          ms.buffer as ArrayBuffer,
          strings.buffer as ArrayBuffer,
        ],
      );
      read = 0;
      located = recycled.pop() ?? lineRecords();
    }
    const last = chunks.tail();
    const tail = last ? new Uint8Array(last) : undefined;
    post({ type: 'end', read, ...(tail ? { tail } : {}) });
  } finally {
    closeSync(fd);
    // Nothing more to wait for: without a listener the worker thread can end.
    port.off('message', onCredit);
  }
}

function failure(error: unknown): LogWorkerMessage {
  const code = (error as { code?: unknown }).code;
  return {
    type: 'error',
    ...(typeof code === 'string' ? { code } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}
