// One measurement in a fresh process (so peak memory is this run's alone):
// node replayOnce.mjs MODE FILE -> prints one JSON line {mode, events, seconds, cpuSeconds, maxRssMb}.
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { checkEnvelope, envelopeTime, replayLogs, scanLog } from '@selfheal/events';
import { scanFields } from './fieldScanner.mjs';

const [mode, file] = process.argv.slice(2);
const start = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
let events = 0;

if (
  mode === 'replay' ||
  mode === 'replay-1thread' ||
  mode === 'replay-full' ||
  mode === 'replay-json'
) {
  // replay: the default (WebAssembly byte scanner); replay-json: every line through JSON.parse, the path
  // before the third round; replay-full: ajv on every line.
  const report = await replayLogs([file], {
    validation: mode === 'replay-full' ? 'full' : 'envelope',
    byteScanner: mode !== 'replay-json',
    worker: mode === 'replay-1thread' ? false : 'auto',
  });
  events = report.events_total;
} else if (mode === 'byte-scan') {
  // Read + the byte scanner (JSON.parse only for the lines it declines); no fold.
  const summary = await scanLog(file, () => {}, { fields: 'fold' });
  events = summary.events;
} else if (mode === 'scan') {
  // Read, split, JSON.parse and the envelope check; no fold.
  const summary = await scanLog(file, () => {});
  events = summary.events;
} else if (mode === 'field-scan' || mode === 'json-fields') {
  // The chunked splitter, then the envelope check on the fields the fold reads: taken by the
  // hand-written scanner (field-scan) or by JSON.parse (json-fields), side by side.
  const scan = mode === 'field-scan';
  await eachLine(file, (line) => {
    const event = scan ? (scanFields(line) ?? JSON.parse(line)) : JSON.parse(line);
    if (typeof envelopeTime(event) === 'number') events++;
  });
} else if (mode === 'readline-parse') {
  // node:readline + JSON.parse + envelope, the baseline the chunked splitter is measured against.
  const lines = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (checkEnvelope(JSON.parse(line)) === undefined) events++;
} else if (mode === 'chunked-parse') {
  // The same chunked splitter as readLog, JSON.parse only: the ceiling for this machine.
  const handle = await open(file, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let kept = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, null);
    if (bytesRead === 0) break;
    const end = kept + bytesRead;
    const last = buffer.lastIndexOf(10, end - 1);
    const text = buffer.toString('utf8', 0, last);
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      JSON.parse(nl < 0 ? text.slice(from) : text.slice(from, nl));
      events++;
      if (nl < 0) break;
      from = nl + 1;
    }
    buffer.copy(buffer, 0, last + 1, end);
    kept = end - last - 1;
  }
  await handle.close();
} else if (mode === 'parallel-parse' || mode === 'parallel-transfer') {
  // The file cut in two byte ranges on a line start, each parsed by a worker thread: the upper
  // bound of a parallel replay (counts only), and with the fold's fields posted back to this
  // thread (what a parallel replay would have to transfer before folding in order).
  const size = (await stat(file)).size;
  const handle = await open(file, 'r');
  const probe = Buffer.alloc(1 << 16);
  const { bytesRead } = await handle.read(probe, 0, probe.length, Math.floor(size / 2));
  await handle.close();
  const middle = Math.floor(size / 2) + probe.subarray(0, bytesRead).indexOf(10) + 1;
  const transfer = mode === 'parallel-transfer';
  const worker = new URL('parseRange.mjs', import.meta.url);
  let touched = 0;
  const counts = await Promise.all(
    [
      [0, middle],
      [middle, size],
    ].map(
      ([start, end]) =>
        new Promise((resolve, reject) => {
          const w = new Worker(worker, { workerData: { file, start, end, transfer } });
          w.on('message', (m) => {
            if (Array.isArray(m)) touched += m.length;
            else resolve(m.events);
          });
          w.on('error', reject);
        }),
    ),
  );
  events = counts[0] + counts[1];
  if (transfer && touched !== events * 9) throw new Error(`transferred ${touched} values`);
} else {
  throw new Error(`unknown mode ${mode}`);
}

const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({ mode, events, seconds, cpuSeconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);

/** The chunked splitter of readLog over a whole file, calling `onLine` for each line. */
async function eachLine(path, onLine) {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let kept = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, kept, buffer.length - kept, null);
    if (bytesRead === 0) break;
    const end = kept + bytesRead;
    const last = buffer.lastIndexOf(10, end - 1);
    const text = buffer.toString('utf8', 0, last);
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      onLine(nl < 0 ? text.slice(from) : text.slice(from, nl));
      if (nl < 0) break;
      from = nl + 1;
    }
    buffer.copy(buffer, 0, last + 1, end);
    kept = end - last - 1;
  }
  await handle.close();
}
