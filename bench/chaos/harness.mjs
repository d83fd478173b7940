// What the fault scenarios share: a `selfheal start` process on a config of the suite's own
// servers (health checks at 1 s, defaults otherwise), the processes of a run found by a marker
// argument in /proc, closed-loop callers that record every call's outcome and time, the event
// log read back, and bounded waits on conditions. Process start-up and the SDK clients come from
// ../src/mcpLoad.mjs, as for the load benchmarks.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectClients, gatewayConfig, SELFHEAL, start, stopChildren } from '../src/mcpLoad.mjs';

/** The stdio server with echo, pid, hang and notify tools (servers/upstream.mjs). */
export const UPSTREAM = fileURLToPath(new URL('./servers/upstream.mjs', import.meta.url));
/** The stdio server that ignores the end of stdin and SIGTERM (servers/stubborn.mjs). */
export const STUBBORN = fileURLToPath(new URL('./servers/stubborn.mjs', import.meta.url));

/** Health checks every second, failing or not; everything else at its default. */
export const HEALTH_1S = { interval_seconds: 1, unhealthy_interval_seconds: 1 };

/** A fresh argument that marks every process of one scenario on its command line. */
export const newMarker = (name) =>
  `--chaos-run=${name}-${process.pid}-${randomBytes(4).toString('hex')}`;

/** A stdio server entry running `script` with `args` under node. */
export const nodeServer = (script, ...args) => ({
  command: process.execPath,
  args: [script, ...args],
});

/**
 * Starts `selfheal start` on `servers` (the `mcpServers` section; `extra` adds top-level keys)
 * with the event log beside the config, and resolves once it printed `ready:`. The process is
 * stopped by mcpLoad's stopChildren.
 */
export async function startGateway(name, servers, extra = {}) {
  const config = gatewayConfig(name, {
    mcpServers: servers,
    health_check: HEALTH_1S,
    event_emission: { path: 'events.jsonl' },
    ...extra,
  });
  const { value: url, pid } = await start(
    [SELFHEAL, 'start', '--config', config, '--port', '0'],
    {},
    /listening on (http:\/\/\S+)[\s\S]*?ready: \d+ of \d+ servers up/,
  );
  return { url, pid, events: join(dirname(config), 'events.jsonl') };
}

/** A field of /proc/PID/status in MB (VmRSS now, VmHWM the peak so far), or NaN. */
export function statusMb(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return kb ? Number(kb[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Whether process `pid` runs (exists and is not a zombie). */
export function isAlive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Live processes whose command line has an argument containing every string of `marks` (Linux
 * /proc; a `sh -c` line carries the marker inside its script). `servers: true` leaves out the
 * monitor's child-wrapper processes, so only the servers themselves are listed.
 */
export function processesWith(marks, { servers = false } = {}) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!marks.every((m) => argv.some((a) => a.includes(m)))) continue;
      if (servers && argv.some((a) => a.includes('child-wrapper'))) continue;
      if (isAlive(Number(entry))) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** SIGKILLs each pid, ignoring those already gone. */
export function killAll(pids, signal = 'SIGKILL') {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: gone already
    }
  }
}

/**
 * Resolves with the first truthy value of `probe()` (polled every `everyMs`), or with undefined
 * once `deadlineMs` has passed. For conditions nothing signals (a process gone, a file grown).
 */
export async function until(probe, deadlineMs, everyMs = 50) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= end) return undefined;
    await new Promise((resolve) => setTimeout(resolve, Math.min(everyMs, end - Date.now())));
  }
}

/** The size of `file` in bytes, 0 when it does not exist yet. */
export function sizeOf(file) {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The events of the JSONL log `file` (lines that do not parse are skipped). */
export function readEvents(file) {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const events = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    try {
      events.push(JSON.parse(line));
    } catch {
      // a line cut by the write in progress
    }
  }
  return events;
}

/**
 * The first event of `type` for `server` at or after `since` (ms since the epoch) in the log
 * `file`, waited for until `deadlineMs` (the log is flushed in batches); undefined if none.
 */
export function eventAfter(file, type, server, since, deadlineMs = 2000) {
  return until(
    () =>
      readEvents(file).find(
        (e) =>
          e.event_type === type && e.server_name === server && Date.parse(e.timestamp) >= since,
      ),
    deadlineMs,
  );
}

/**
 * Each client calls `pick(i)` ({name, arguments}) in a closed loop until `stop()` is called.
 * Every outcome is recorded as {client, at (ms since the epoch), ok, servedBy}; a result with
 * isError, a JSON-RPC error or a timeout (`timeoutMs`) is a failure. `stop()` resolves once
 * every loop has ended.
 */
export function callLoops(clients, pick, { timeoutMs = 10_000, onResult } = {}) {
  const calls = [];
  let stopped = false;
  const loops = clients.map(async (client, i) => {
    while (!stopped) {
      let record;
      try {
        const result = await client.callTool(pick(i), undefined, { timeout: timeoutMs });
        record = {
          client: i,
          at: Date.now(),
          ok: !result.isError,
          servedBy: result._meta?.['selfheal/served_by'],
          ...(result.isError && { error: result.content?.map((c) => c.text).join(' ') }),
        };
      } catch (error) {
        record = { client: i, at: Date.now(), ok: false, error: String(error?.message ?? error) };
      }
      if (stopped) break;
      calls.push(record);
      onResult?.(record);
    }
  });
  return {
    calls,
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

/** Closes every client, ignoring errors (a dead gateway). */
export function closeAll(clients) {
  return Promise.all(clients.map((c) => c.close().catch(() => {})));
}

/**
 * Waits up to `deadlineMs` for every process carrying `marker` to be gone, then SIGKILLs those
 * left so the next scenario starts clean; resolves to how many were left, and of which kind.
 */
export async function orphansLeft(marker, deadlineMs = 10_000) {
  await until(() => processesWith([marker]).length === 0, deadlineMs, 100);
  const left = processesWith([marker]);
  const kinds = new Map();
  for (const pid of left) {
    const kind = describeProcess(pid);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  killAll(left);
  return { count: left.length, kinds: [...kinds].map(([k, n]) => `${n} ${k}`).join(', ') };
}

/** `wrapper` (the monitor's child-wrapper), `shell` (sh -c) or `server`, from /proc. */
function describeProcess(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (argv.some((a) => a.includes('child-wrapper'))) return 'wrapper';
    if (/(^|\/)(ba|da)?sh$/.test(argv[0])) return 'shell';
    return 'server';
  } catch {
    return 'gone';
  }
}

/** Success rate of `calls` (0..1), NaN when there were none. */
export const successRate = (calls) =>
  calls.length === 0 ? Number.NaN : calls.filter((c) => c.ok).length / calls.length;

/** Time from `since` to the first successful call at or after it, ms; undefined if none. */
export function firstSuccessAfter(calls, since) {
  let first;
  for (const c of calls)
    if (c.ok && c.at >= since && (first === undefined || c.at < first)) first = c.at;
  return first === undefined ? undefined : first - since;
}

/** Event-log growth from `bytes0` at `t0` to now, extrapolated to bytes per minute. */
export function logRate(file, bytes0, t0) {
  const seconds = (Date.now() - t0) / 1000;
  return seconds > 0 ? ((sizeOf(file) - bytes0) / seconds) * 60 : Number.NaN;
}

/**
 * Ends a scenario: reads the gateway's peak RSS (VmHWM, while it still runs) and the event-log
 * rate since `t0`/`bytes0`, stops the gateway (SIGTERM, SIGKILL after 10 s) and counts the
 * processes of `marker` still there once it is gone (orphans; orphanKinds says which).
 */
export async function finish(gateway, marker, { t0, bytes0 }) {
  const peakRssMb = statusMb(gateway.pid, 'VmHWM');
  const logBytesPerMin = logRate(gateway.events, bytes0, t0);
  await stopChildren({ killAfterMs: 10_000 });
  const left = await orphansLeft(marker);
  return { peakRssMb, logBytesPerMin, orphans: left.count, orphanKinds: left.kinds };
}

/** The most frequent failure messages of `calls` (numbers and times masked), for the notes. */
export function failureKinds(calls, top = 2) {
  const counts = new Map();
  for (const c of calls) {
    if (c.ok) continue;
    const kind = String(c.error ?? 'isError result')
      .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, 'T')
      .replace(/\d+/g, 'N')
      .slice(0, 140);
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  return `failures: ${[...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([kind, count]) => `${count}x "${kind}"`)
    .join(', ')}`;
}

/** What an error says, with its cause (undici's "fetch failed" keeps the reason there). */
export function describeError(error) {
  const cause = error?.cause
    ? ` (${error.cause.code ?? ''} ${error.cause.message ?? error.cause})`
    : '';
  return `${error?.message ?? error}${cause}`;
}

/**
 * {@link connectClients}, with a failure that says so: a gateway that cannot take `n` clients
 * at once fails the scenario's set-up, and the row's notes say why.
 */
export async function connectAll(url, n) {
  try {
    return await connectClients(url, n);
  } catch (error) {
    throw new Error(`set-up: connecting ${n} clients to ${url} failed: ${describeError(error)}`);
  }
}
