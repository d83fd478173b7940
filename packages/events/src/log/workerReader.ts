// `readLog` with a worker thread scanning: the worker (logWorker.ts) locates each line's fields,
// this thread builds the events (their strings live here) and takes declined lines the exact way.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { canLocateLines, type LineRecords } from './lineLocator.js';
import { type LineTaker, unreadable } from './lineTaker.js';
import type { LogEntry, LogReadSummary } from './logReader.js';
import type { LogWorkerCredit, LogWorkerData, LogWorkerMessage } from './logWorker.js';

/**
 * A file at least this big is scanned on a worker thread by default. Below it the worker's
 * start (about 60 ms) costs more than it saves (measured break-even: about 43 MB; RFC 0003).
 */
const WORKER_MIN_BYTES = 48 << 20;
/** Chunks a worker may have posted and not yet had back. */
const WORKER_IN_FLIGHT = 4;

/** Whether to scan `file` on a worker thread. */
export async function useWorker(
  file: string,
  choice: boolean | 'auto',
  minBytes = WORKER_MIN_BYTES,
): Promise<boolean> {
  if (!canLocateLines()) return false; // no WebAssembly SIMD: nothing to hand to a worker
  if (choice !== 'auto') return choice;
  if (availableParallelism() < 2) return false;
  try {
    return (await stat(file)).size >= minBytes;
  } catch {
    return false; // the read itself reports why the file cannot be read
  }
}

/**
 * The worker's script. Under a TypeScript test runner this module is `src/log/workerReader.ts`, and
 * Node runs worker threads from JavaScript: the build's copy then.
 */
function workerScript(): URL {
  const here = import.meta.url;
  return new URL(
    here.endsWith('.ts') ? '../../dist/log/logWorkerMain.js' : './logWorkerMain.js',
    here,
  );
}

export async function* readOnWorker(
  lines: LineTaker,
): AsyncGenerator<LogEntry[], LogReadSummary, undefined> {
  const { summary } = lines;
  const file = summary.file;
  summary.worker = true;
  const data: LogWorkerData = {
    file,
    chunkBytes: lines.chunkBytes,
    maxLineBytes: lines.maxLineBytes,
    inFlight: WORKER_IN_FLIGHT,
  };
  const worker = new Worker(workerScript(), { workerData: data });
  const inbox = createInbox(worker);
  let line = 0;
  try {
    for (;;) {
      const message = await inbox.next();
      if (message.type === 'lines') {
        const { records, ms, count, strings, stringBytes, read } = message;
        const bytes = Buffer.from(
          message.bytes.buffer,
          message.bytes.byteOffset,
          message.bytes.length,
        );
        summary.bytes += read;
        const chunk: LineRecords = { records, ms, count, strings, stringBytes };
        const batch = lines.located(bytes, message.start, chunk, line);
        line += count;
        const credit: LogWorkerCredit = {
          type: 'credit',
          bytes: message.bytes,
          records,
          ms,
          strings,
        };
        worker.postMessage(credit, [
          message.bytes.buffer as ArrayBuffer,
          records.buffer as ArrayBuffer,
          ms.buffer as ArrayBuffer,
          strings.buffer as ArrayBuffer,
        ]);
        if (batch.length > 0) yield batch;
      } else if (message.type === 'long') {
        lines.long(line + 1, message.preview);
      } else if (message.type === 'long-end') {
        line++;
        lines.longEnded();
      } else if (message.type === 'end') {
        summary.bytes += message.read;
        if (message.tail) {
          const tail = Buffer.from(
            message.tail.buffer,
            message.tail.byteOffset,
            message.tail.length,
          );
          const got = lines.tail(tail.toString('utf8'), line + 1);
          if (got) yield [got];
        }
        return summary;
      } else {
        throw unreadable(file, message);
      }
    }
  } finally {
    await worker.terminate();
  }
}

/** The worker's messages as a queue to await, its failures as `error` messages. */
function createInbox(worker: Worker) {
  const queue: LogWorkerMessage[] = [];
  let waiting: ((message: LogWorkerMessage) => void) | undefined;
  const deliver = (message: LogWorkerMessage) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(message);
    } else queue.push(message);
  };
  worker.on('message', deliver);
  worker.on('error', (error) =>
    deliver({ type: 'error', message: `the scanning thread failed: ${error.message}` }),
  );
  worker.on('exit', (code) =>
    deliver({ type: 'error', message: `the scanning thread exited (code ${code})` }),
  );
  return {
    next(): Promise<LogWorkerMessage> {
      const message = queue.shift();
      if (message) return Promise.resolve(message);
      return new Promise((resolve) => (waiting = resolve));
    },
  };
}
