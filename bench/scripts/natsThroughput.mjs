// NATS JetStream replicas (RFC 0018): events per second published by one and by three replicas
// (each its own connection, log and forwarder, in this process), and the replay of a stream of
// COUNT events (default 1M) beside the replay of the same events from a JSONL file. Starts its
// own `nats-server -js` on 127.0.0.1. Figures, not assertions: compare rows of one run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventFactory, createEventLog, replayLogs } from '@selfheal/events';
import { connectNats, createNatsForwarder, replayStream } from '@selfheal/events/nats';
import { hasNatsServer, startNatsServer } from '@selfheal/events/nats/testing';
import { generateHealthLog } from './generateHealthLog.mjs';

const PUBLISHED = Number(process.env.BENCH_NATS_EVENTS ?? 100_000);
const COUNT = Number(process.env.BENCH_NATS_REPLAY ?? 1_000_000);

if (!hasNatsServer()) {
  console.log('nats-server is not installed (apt-get install nats-server): skipped');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-nats-'));
const nats = await startNatsServer();

/** `replicas` forwarders, each publishing `perReplica` events; events per second in all. */
async function publishRate(stream, replicas, perReplica) {
  const sides = [];
  for (let r = 0; r < replicas; r++) {
    const link = await connectNats({ servers: [nats.url], stream, subject: `b.${stream}` });
    const log = await createEventLog({ path: join(dir, `${stream}-${r}.jsonl`) });
    const forwarder = createNatsForwarder({ link, replica: `r${r}`, logPath: log.path });
    const events = createEventFactory({ validate: false, replica: `r${r}` });
    sides.push({ link, log, forwarder, events });
  }
  const began = performance.now();
  await Promise.all(
    sides.map(async ({ log, forwarder, events }) => {
      for (let i = 0; i < perReplica; i += 500) {
        const batch = [];
        for (let j = 0; j < 500 && i + j < perReplica; j++) {
          batch.push(
            log.append(
              events.healthCheckCompleted({
                server_name: `server-${j % 20}`,
                probe: 'ping',
                status: 'ok',
                response_time_ms: j,
              }),
            ),
          );
        }
        for (const stored of await Promise.all(batch)) forwarder.offer(stored);
      }
      await forwarder.drained();
    }),
  );
  const seconds = (performance.now() - began) / 1000;
  for (const { link, log, forwarder } of sides) {
    await forwarder.close();
    await log.close();
    await link.close();
  }
  return { events: replicas * perReplica, seconds };
}

const fmt = (n) => Math.round(n).toLocaleString('en-US');
const rows = [];
for (const replicas of [1, 3]) {
  const per = Math.floor(PUBLISHED / replicas);
  const { events, seconds } = await publishRate(`PUB${replicas}`, replicas, per);
  rows.push([
    `${replicas} replica${replicas > 1 ? 's' : ''}`,
    fmt(events),
    seconds.toFixed(2),
    fmt(events / seconds),
  ]);
}
console.log('\nPublished to JetStream (log append + publish with Nats-Msg-Id, acknowledged):');
console.table(
  rows.map(([case_, events, s, rate]) => ({ case: case_, events, seconds: s, 'events/s': rate })),
);

// The same COUNT events as a file, and as a stream (sent by a forwarder catching up from the file).
const file = join(dir, 'replay.jsonl');
await generateHealthLog(file, COUNT);
const link = await connectNats({ servers: [nats.url], stream: 'REPLAY', subject: 'b.replay' });
const sendBegan = performance.now();
const forwarder = createNatsForwarder({ link, replica: 'bench', logPath: file });
// The forwarder starts by catching up from the file (the spool path); offer nothing.
while (forwarder.acked < COUNT - 1) await new Promise((r) => setTimeout(r, 200));
const sendSeconds = (performance.now() - sendBegan) / 1000;
await forwarder.close();
await link.close();

const timed = async (fn) => {
  const began = performance.now();
  const report = await fn();
  return { report, seconds: (performance.now() - began) / 1000 };
};
const fromFile = await timed(() => replayLogs([file]));
const fromStream = await timed(() => replayStream(`${nats.url}/REPLAY`));
const same =
  JSON.stringify(fromFile.report.servers) === JSON.stringify(fromStream.report.servers) &&
  fromFile.report.events_total === fromStream.report.events_total;
console.log(
  `\nReplay of ${fmt(COUNT)} events (the file's events sent to the stream from the spool in ${sendSeconds.toFixed(1)} s, ${fmt(COUNT / sendSeconds)} events/s):`,
);
console.table([
  {
    source: 'JSONL file',
    seconds: fromFile.seconds.toFixed(2),
    'events/s': fmt(COUNT / fromFile.seconds),
  },
  {
    source: 'JetStream stream',
    seconds: fromStream.seconds.toFixed(2),
    'events/s': fmt(COUNT / fromStream.seconds),
  },
]);
console.log(
  `stream / file time: ${(fromStream.seconds / fromFile.seconds).toFixed(2)}x; same servers and SLA: ${same ? 'yes' : 'NO'}`,
);

await nats.dispose();
rmSync(dir, { recursive: true, force: true });
if (!same) process.exitCode = 1;
