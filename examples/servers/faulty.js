#!/usr/bin/env node
// A stdio server whose tools/call requests fail, hang or answer slowly on demand, for the
// gateway's failure suites. Randomness is seeded (FAULT_SEED), so a run is repeatable.
//
// Tools: `echo` (no annotations), `lookup` (readOnlyHint), `put` (idempotentHint), and
// `stats`, which is never faulted and returns what the server saw as JSON:
// `{ pid, calls: { <tool>: n }, failed, slow, dropped }` (dropped: requests left unanswered).
//
// env:
// - ERROR_RATE (0): share of faulted calls answered with JSON-RPC -32603 (1 = an outage).
// - SLOW_RATE (0), SLOW_MS (1000): share of faulted calls answered after SLOW_MS; a slow call
//   is never followed by another slow one, so a hedge sent after it is fast.
// - SLOW_WARMUP (0): the first N faulted calls are never slow.
// - ERROR_FILE: when set, ERROR_RATE applies only while this file exists (a server that heals
//   once the file is removed).
// - HANG_FILE: while this file exists, every request (ping included) goes unanswered.
// - FAULT_TOOLS (echo,lookup,put): the tools whose calls are faulted.
// - HANG_TOOLS (none): comma-separated tools whose calls are never answered (the others are).
// - FAULT_SEED (1): the seed of the random draws (one draw per faulted call and fault kind).
import { existsSync } from 'node:fs';
import { envNumber, startDemoServer } from './demoServer.js';

/** mulberry32: a small seeded generator of uniform numbers in [0, 1). */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const errorRate = envNumber('ERROR_RATE', 0);
const slowRate = envNumber('SLOW_RATE', 0);
const slowMs = envNumber('SLOW_MS', 1000);
const warmup = envNumber('SLOW_WARMUP', 0);
const hangFile = process.env.HANG_FILE;
const errorFile = process.env.ERROR_FILE;
const faulted = new Set((process.env.FAULT_TOOLS ?? 'echo,lookup,put').split(','));
const hungTools = new Set((process.env.HANG_TOOLS ?? '').split(',').filter(Boolean));
const random = seeded(envNumber('FAULT_SEED', 1));

const stats = { pid: process.pid, calls: {}, failed: 0, slow: 0, dropped: 0 };
let faultedCalls = 0;
let lastSlow = false;
// Each request is judged once, when it arrives; the hooks below read the verdict.
const verdicts = new WeakMap();

function judge(message) {
  let verdict = verdicts.get(message);
  if (verdict) return verdict;
  verdict = { drop: false, error: undefined, delay: 0 };
  verdicts.set(message, verdict);
  if (hangFile && existsSync(hangFile) && 'method' in message) {
    verdict.drop = true;
    if ('id' in message) stats.dropped++;
    return verdict;
  }
  if (message.method !== 'tools/call') return verdict;
  const tool = String(message.params?.name);
  stats.calls[tool] = (stats.calls[tool] ?? 0) + 1;
  if (hungTools.has(tool)) {
    verdict.drop = true;
    stats.dropped++;
    return verdict;
  }
  if (!faulted.has(tool)) return verdict;
  faultedCalls++;
  if ((errorFile === undefined || existsSync(errorFile)) && random() < errorRate) {
    stats.failed++;
    verdict.error = {
      code: -32603,
      message: `faulty: injected internal error (call ${faultedCalls})`,
    };
    return verdict;
  }
  const slow = !lastSlow && faultedCalls > warmup && random() < slowRate;
  lastSlow = slow;
  if (slow) {
    stats.slow++;
    verdict.delay = slowMs;
  }
  return verdict;
}

await startDemoServer({
  name: 'faulty',
  drop: (message) => judge(message).drop,
  fail: (message) => judge(message).error,
  delayMs: (message) => judge(message).delay,
  tools: [
    {
      name: 'lookup',
      annotations: { readOnlyHint: true },
      call: (a) => `found ${a.message ?? ''}`,
    },
    {
      name: 'put',
      annotations: { idempotentHint: true },
      call: (a) => `stored ${a.message ?? ''}`,
    },
    { name: 'stats', annotations: { readOnlyHint: true }, call: () => JSON.stringify(stats) },
  ],
});
setInterval(() => {}, 60_000);
