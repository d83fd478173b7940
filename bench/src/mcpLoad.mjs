// What the gateway load benchmarks share (gatewayLoad.mjs, gatewayPolicies.mjs): the upstream
// and gateway binaries, child processes started until a line of their output appears, SDK
// clients over Streamable HTTP (or the older HTTP+SSE transport), a closed-loop round of echo
// calls, process CPU time, medians.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { connectLean } from './leanClient.mjs';

export { median } from './stats.mjs';

const require = createRequire(import.meta.url);
/** server-everything's entry point (`node EVERYTHING streamableHttp`). */
export const EVERYTHING = require.resolve('@modelcontextprotocol/server-everything/dist/index.js');
/** This checkout's `selfheal` CLI. */
export const SELFHEAL = fileURLToPath(
  import.meta.resolve('@selfheal/gateway/package.json'),
).replace(/package\.json$/, 'bin/selfheal.js');
/** Preload that keeps server-everything on 127.0.0.1 and prints `TEST_LISTENING <port>`. */
export const PRELOAD = fileURLToPath(new URL('./listenOnLoopback.mjs', import.meta.url));

const children = [];

/**
 * Writes a gateway config in a folder of its own and returns its path: two gateways started
 * from one folder would share the control socket and the event log beside the config.
 */
export function gatewayConfig(name, document) {
  const file = join(mkdtempSync(join(tmpdir(), `selfheal-bench-${name}-`)), `${name}.json`);
  writeFileSync(file, JSON.stringify(document));
  return file;
}

/** CPU seconds (user + system) used so far by process `pid` (Linux /proc), or NaN. */
export function cpuSeconds(pid) {
  const { user, system } = cpuTimes(pid);
  return user + system;
}

/**
 * CPU seconds used so far by process `pid` in user mode and in the kernel (Linux /proc), NaN
 * when it is gone. On 127.0.0.1 the kernel time includes the TCP work of the receiving side:
 * loopback delivers a packet within the sender's write.
 */
export function cpuTimes(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 }; // USER_HZ = 100
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

/**
 * Starts `node ARGS` and resolves with the first group of `pattern` in its output, and its pid.
 * Stopped by {@link stopChildren}.
 */
export function start(args, env, pattern) {
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    let found = false;
    const onData = (chunk) => {
      if (found) return; // keep draining (the call log goes to stderr) without keeping it
      seen += chunk;
      const match = pattern.exec(seen);
      if (match) {
        found = true;
        resolve({ value: match[1], pid: child.pid });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${seen}`)));
  });
}

/**
 * SIGTERMs every process {@link start} started and waits for them to exit; with `killAfterMs`,
 * SIGKILLs those still running after that long (a process stuck in its shutdown).
 */
export function stopChildren({ killAfterMs } = {}) {
  return Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer =
            killAfterMs === undefined
              ? undefined
              : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
}

/** `sdk` (default): SDK clients; `lean`: {@link connectLean}'s (BENCH_LOAD=lean). */
export const LOAD = process.env.BENCH_LOAD ?? 'sdk';
if (LOAD !== 'sdk' && LOAD !== 'lean') throw new Error(`BENCH_LOAD: sdk or lean, not ${LOAD}`);

/**
 * `n` clients connected to the MCP endpoint `url`, over Streamable HTTP or, with
 * `transport: 'sse'`, the 2024-11-05 HTTP+SSE transport (GET `url`, POSTs to the endpoint it
 * names): SDK clients, or with BENCH_LOAD=lean the lean ones of leanClient.mjs. `first`
 * numbers the SDK clients' names (`bench-<first + i>`).
 */
export async function connectClients(url, n, { transport = 'streamableHttp', first = 0 } = {}) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      if (LOAD === 'lean') return connectLean(url, transport);
      const client = new Client({ name: `bench-${first + i}`, version: '1' });
      await client.connect(
        transport === 'sse'
          ? new SSEClientTransport(new URL(url))
          : new StreamableHTTPClientTransport(new URL(url)),
      );
      return client;
    }),
  );
}

/**
 * Ends each client's session (DELETE, where the transport has sessions: a stateful peer keeps
 * a process per session until then) and closes it. Failures to end a session are ignored.
 */
export function closeClients(clients) {
  return Promise.all(
    clients.map(async (client) => {
      await client.transport?.terminateSession?.().catch(() => {});
      await client.close();
    }),
  );
}

/** A TCP port free on 127.0.0.1 just now, for a program that cannot listen on port 0. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Each client calls `tool` in a closed loop until `total` calls are done; latencies and rate. */
export async function round(clients, tool, total) {
  const latencies = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (issued < total) {
        issued++;
        const t0 = performance.now();
        await client.callTool({ name: tool, arguments: { message: 'ping' } });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarise(latencies, (performance.now() - started) / 1000);
}

/**
 * `total` calls with `inFlight` of them in flight at any time (closed loop), call k made by
 * `clients[k % clients.length]` to `tools[k % tools.length]`: a few calls in flight spread
 * over many open sessions and several servers. Latencies and rate, as {@link round}.
 */
export async function spreadRound(clients, tools, total, inFlight) {
  const latencies = [];
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (issued < total) {
        const k = issued++;
        const t0 = performance.now();
        await clients[k % clients.length].callTool({
          name: tools[k % tools.length],
          arguments: { message: 'ping' },
        });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return summarise(latencies, (performance.now() - started) / 1000);
}

function summarise(latencies, seconds) {
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50: at(0.5), p99: at(0.99), rate: latencies.length / seconds };
}
