// Child process of crash.test.ts: appends events forever, printing `ack <seq>` for each append
// the log has acknowledged, until the parent kills it with SIGKILL.
import { createEventFactory, createEventLog } from '../dist/index.js';

const [path, durability] = process.argv.slice(2);
const events = createEventFactory({ validate: false });
const log = await createEventLog({ path, durability, flushIntervalMs: 20 });
process.stdout.write(`ready ${log.lastSeq}\n`);

let n = 0;
const worker = async () => {
  for (;;) {
    const stored = await log.append(
      events.healthCheckCompleted({
        server_name: `s${n++ % 7}`,
        status: 'ok',
        response_time_ms: n % 50,
        padding: 'x'.repeat(n % 300),
      }),
    );
    process.stdout.write(`ack ${stored.seq}\n`);
  }
};
// Several appends in flight, so the kill lands among batched writes.
await Promise.all([worker(), worker(), worker(), worker()]);
