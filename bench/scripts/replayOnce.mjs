// One measurement in a fresh process (so peak memory is this run's alone):
// node replayOnce.mjs MODE FILE -> prints one JSON line {mode, events, seconds, maxRssMb}.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { checkEnvelope, replayLogs, scanLog } from '@selfheal/events';

const [mode, file] = process.argv.slice(2);
const start = process.hrtime.bigint();
const cpuStart = process.cpuUsage();
let events = 0;

if (mode === 'replay' || mode === 'replay-full') {
  const report = await replayLogs([file], { validation: mode === 'replay' ? 'envelope' : 'full' });
  events = report.events_total;
} else if (mode === 'scan') {
  // Read, split, JSON.parse and the envelope check; no fold.
  const summary = await scanLog(file, () => {});
  events = summary.events;
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
} else {
  throw new Error(`unknown mode ${mode}`);
}

const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const cpu = process.cpuUsage(cpuStart);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
process.stdout.write(
  `${JSON.stringify({ mode, events, seconds, cpuSeconds, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
