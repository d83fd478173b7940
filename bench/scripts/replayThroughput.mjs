// Replay throughput and peak memory on generated health logs of 100k and 1M events. Each run is
// a fresh process; the median of RUNS runs is printed. Figures, not assertions: these machines
// are shared and noisy, so compare the rows of one run with each other.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHealthLog } from './generateHealthLog.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const once = fileURLToPath(new URL('replayOnce.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'selfheal-bench-'));

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Runs every case RUNS times, round-robin, so load changes hit all cases alike. */
function measureAll(cases) {
  const runs = cases.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    cases.forEach(({ mode, file }, c) => {
      runs[c].push(
        JSON.parse(execFileSync(process.execPath, [once, mode, file], { encoding: 'utf8' })),
      );
    });
  }
  return cases.map(({ log, mode }, c) => {
    const r = runs[c];
    const events = r[0].events;
    const rate = (seconds) => Math.round(events / seconds).toLocaleString('en-US');
    return {
      log,
      mode,
      events,
      'wall s': median(r.map((x) => x.seconds)).toFixed(2),
      'events/s': rate(median(r.map((x) => x.seconds))),
      'best events/s': rate(Math.min(...r.map((x) => x.seconds))),
      'events/CPU-s': rate(median(r.map((x) => x.cpuSeconds))),
      'peak RSS MB': Math.round(median(r.map((x) => x.maxRssMb))),
    };
  });
}

try {
  const small = join(dir, 'health-100k.jsonl');
  const big = join(dir, 'health-1m.jsonl');
  const smallBytes = await generateHealthLog(small, 100_000);
  const bigBytes = await generateHealthLog(big, 1_000_000);
  console.log(
    `\nReplay of generated health logs (${(bigBytes / 1e6).toFixed(0)} MB for 1M events, ${(smallBytes / 1e6).toFixed(0)} MB for 100k); median of ${RUNS} runs; load average ${loadavg()[0].toFixed(1)} on this machine, ${availableParallelism()} cores\n`,
  );
  const all = [
    { log: '1M', mode: 'replay', file: big },
    { log: '100k', mode: 'replay', file: small },
    { log: '1M', mode: 'replay-1thread', file: big },
    { log: '100k', mode: 'replay-1thread', file: small },
    { log: '1M', mode: 'replay-json', file: big },
    { log: '100k', mode: 'replay-json', file: small },
    { log: '1M', mode: 'byte-scan', file: big },
    { log: '1M', mode: 'replay-full', file: big },
    { log: '1M', mode: 'scan', file: big },
    { log: '1M', mode: 'chunked-parse', file: big },
    { log: '1M', mode: 'readline-parse', file: big },
    { log: '1M', mode: 'json-fields', file: big },
    { log: '1M', mode: 'field-scan', file: big },
    { log: '1M', mode: 'parallel-parse', file: big },
    { log: '1M', mode: 'parallel-transfer', file: big },
  ];
  // REPLAY_MODES=replay,replay-json measures only those modes (more runs in the same time).
  const only = process.env.REPLAY_MODES?.split(',');
  const rows = measureAll(only ? all.filter((c) => only.includes(c.mode)) : all);
  console.table(rows);
  console.log(`load average at the end: ${loadavg()[0].toFixed(1)}`);
  console.log(
    'replay: replayLogs (read, WebAssembly byte scanner, projection, SLA, summary; files of 48 MiB or more are scanned on a worker thread while the main thread folds). replay-1thread: the same on one thread (worker: false). replay-json: the same with JSON.parse + envelope check on every line (before the third round). replay-full: ajv on every line.\n' +
      'byte-scan: read + byte scanner (locate and build) only (no fold). scan: read + JSON.parse + envelope check only. chunked-parse / readline-parse: JSON.parse per line behind each line splitter.\n' +
      'json-fields / field-scan: splitter + envelope check on the fields the fold reads, from JSON.parse / from the hand-written scanner (fieldScanner.mjs).\n' +
      'parallel-parse: two worker threads each parse half the file (counts only); parallel-transfer: the same, posting the fold fields back to the main thread.\n' +
      'events/CPU-s divides by the process CPU time (user + system, GC threads included): steadier than wall time on a busy machine.',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
