// SIGKILL of a stdio server to the first successful call through the gateway (RFC 0020: a
// server that had been stable is restarted at once on its first crash; target under 500 ms).
// One `selfheal start` process holds the same small stdio server (examples/servers/faulty.js,
// no faults) twice, side by side: `at_once` with `recovery.stable_after_seconds: 1`, and
// `backoff` with it out of reach (the first attempt waits the first backoff step, 1 s, as
// before). Each round waits until the server has answered checks for over 2 s, SIGKILLs its
// process, and calls its echo tool through the gateway every 5 ms until one succeeds; the
// gateway's own events (its JSONL log, same wall clock) place the restart's spawn
// (`server_started`) and `recovery_successful` on the same time line. Prints p50 and max per
// server, and beside each round the time a bare `node -e ''` takes to start and exit: the
// server's own boot (server_started -> recovery_successful) is mostly that, and it is what a
// loaded machine stretches. Nothing is asserted (shared, noisy machines). BENCH_ROUNDS
// (default 7).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { gatewayConfig, SELFHEAL, start, stopChildren } from './mcpLoad.mjs';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const FAULTY = fileURLToPath(new URL('../../examples/servers/faulty.js', import.meta.url));
const SERVERS = { at_once: 1, backoff: 1_000_000 };

const server = (stableAfterSeconds) => ({
  command: process.execPath,
  args: [FAULTY],
  env: { FAULT_TOOLS: '' },
  recovery: {
    stable_after_seconds: stableAfterSeconds,
    max_attempts: 1000,
    // Each round starts from attempt 1 (the counter resets after 0.5 s of ok).
    reset_after_seconds: 0.5,
    backoff: { initial_seconds: 1, multiplier: 2, max_seconds: 30 },
  },
});
const configFile = gatewayConfig('heal', {
  mcpServers: Object.fromEntries(Object.entries(SERVERS).map(([n, s]) => [n, server(s)])),
  health_check: {
    probes: ['ping'],
    interval_seconds: 0.5,
    unhealthy_interval_seconds: 0.25,
    success_threshold: 2,
    startup_grace_seconds: 0,
  },
  event_emission: { path: 'events.jsonl', flush_interval_ms: 20 },
});
const eventsFile = join(dirname(configFile), 'events.jsonl');

const events = () =>
  readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The pid of the server's live process and since when its checks have been good, from the log. */
function current(name) {
  let pid;
  let goodSince;
  for (const e of events()) {
    if (e.server_name !== name) continue;
    if (e.event_type === 'server_started') pid = e.pid;
    if (e.event_type === 'health_check_completed')
      goodSince = e.status === 'down' ? undefined : (goodSince ?? Date.parse(e.timestamp));
  }
  return { pid, goodSince };
}

async function stable(name) {
  for (const end = Date.now() + 30_000; Date.now() < end; await sleep(50)) {
    const { pid, goodSince } = current(name);
    if (pid !== undefined && goodSince !== undefined && Date.now() - goodSince > 2500) return pid;
  }
  throw new Error(`server ${name} did not settle within 30 s`);
}

/** One round: kill, then echo every 5 ms until a call succeeds; times from the kill, ms. */
async function round(client, name) {
  const pid = await stable(name);
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  let refused = 0;
  for (;;) {
    const result = await client
      .callTool({ name: `${name}__echo`, arguments: { message: 'x' } })
      .catch(() => ({ isError: true }));
    if (!result.isError) break;
    refused++;
    await sleep(5);
  }
  const firstCall = Date.now() - killedAt;
  await sleep(200); // the log's flush
  const after = events().filter(
    (e) => e.server_name === name && Date.parse(e.timestamp) >= killedAt,
  );
  const at = (type) => {
    const e = after.find((x) => x.event_type === type);
    return e ? Date.parse(e.timestamp) - killedAt : undefined;
  };
  const started = after.find((e) => e.event_type === 'recovery_started');
  // The machine's own pace, measured beside each round: a bare Node start to exit.
  const bareAt = Date.now();
  spawnSync(process.execPath, ['-e', '']);
  return {
    bare: Date.now() - bareAt,
    restart: at('server_started'),
    successful: at('recovery_successful'),
    firstCall,
    refused,
    delay: started?.delay_ms,
    restarts: after.filter((e) => e.event_type === 'server_started').length,
  };
}

const percentile = (values, p) => {
  const sorted = values.filter((v) => v !== undefined).sort((a, b) => a - b);
  return sorted.length === 0
    ? '-'
    : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
};
const p50 = (values) => percentile(values, 0.5);
const max = (values) => percentile(values, 1);

try {
  const { value: url } = await start(
    [SELFHEAL, 'start', '--config', configFile, '--port', '0', '--call-log', 'off'],
    {},
    /listening on (http:\/\/\S+)/,
  );
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const rows = Object.fromEntries(Object.keys(SERVERS).map((name) => [name, []]));
  // Alternating rounds: both servers see the same machine load.
  for (let i = 0; i < ROUNDS; i++)
    for (const name of Object.keys(SERVERS)) rows[name].push(await round(client, name));
  await client.close();

  console.log(
    `\nSIGKILL of a stdio server to the first successful call through the gateway, ${ROUNDS} rounds each (ms from the kill)`,
  );
  const line = (cells) => `| ${cells.join(' | ')} |`;
  const head = [
    'server',
    'first backoff wait ms',
    'kill -> server_started p50',
    'max',
    'kill -> recovery_successful p50',
    'max',
    'kill -> first successful call p50',
    'max',
    'calls refused p50',
    'restarts per kill (max)',
    "bare `node -e ''` p50",
  ];
  console.log(line(head));
  console.log(line(head.map((_, i) => (i === 0 ? '---' : '---:'))));
  for (const [name, r] of Object.entries(rows)) {
    const col = (key) => r.map((x) => x[key]);
    console.log(
      line([
        name,
        p50(col('delay')),
        p50(col('restart')),
        max(col('restart')),
        p50(col('successful')),
        max(col('successful')),
        p50(col('firstCall')),
        max(col('firstCall')),
        p50(col('refused')),
        max(col('restarts')),
        p50(col('bare')),
      ]),
    );
  }
  const ratio =
    p50(rows.backoff.map((x) => x.firstCall)) / p50(rows.at_once.map((x) => x.firstCall));
  console.log(
    `\nbackoff / at_once, first successful call p50: ${ratio.toFixed(1)}x; target at_once max < 500 ms`,
  );
} finally {
  await stopChildren({ killAfterMs: 5000 });
}
