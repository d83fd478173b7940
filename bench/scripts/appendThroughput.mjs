// Append throughput of the event log under each durability policy: one append at a time
// (each awaited: what a caller waiting for its acknowledgement sees) and 64 in flight (group
// commit). Figures, not assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventFactory, createEventLog } from '@selfheal/events';

const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-'));
const events = createEventFactory({ validate: false });
const sample = () =>
  events.healthCheckCompleted({ server_name: 'server-01', status: 'ok', response_time_ms: 4.5 });

async function measure(durability, inFlight, count) {
  const log = await createEventLog({
    path: join(dir, `${durability}-${inFlight}.jsonl`),
    durability,
  });
  const start = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      await log.append(sample());
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const acked = Number(process.hrtime.bigint() - start) / 1e9;
  await log.close();
  return {
    durability,
    'in flight': inFlight,
    appends: count,
    seconds: acked.toFixed(2),
    'appends/s': Math.round(count / acked).toLocaleString('en-US'),
  };
}

try {
  console.log(`\nEvent log append throughput (load average ${loadavg()[0].toFixed(1)})\n`);
  console.table([
    await measure('per_event', 1, 2_000),
    await measure('per_event', 64, 50_000),
    await measure('batched', 1, 50_000),
    await measure('batched', 64, 200_000),
    await measure('none', 1, 50_000),
    await measure('none', 64, 200_000),
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
