// Runs every benchmark in turn: the vitest bench files (tables, then p50/p99 from their JSON),
// then each script that needs its own process (replay, append, monitor CPU, gateway load,
// 1,000 sessions on one gateway, the dashboard in Chromium).
// `pnpm bench -- NAME...` runs only the steps whose name contains one of the words.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const steps = [
  [
    'vitest',
    'npx',
    [
      'vitest',
      'bench',
      '--run',
      '--config',
      'vitest.bench.config.ts',
      '--outputJson',
      '.bench/results.json',
    ],
  ],
  ['percentiles', 'node', ['src/printPercentiles.mjs', '.bench/results.json']],
  ['replay', 'node', ['scripts/replayThroughput.mjs']],
  ['replay-breakdown', 'node', ['scripts/replayBreakdown.mjs']],
  ['append', 'node', ['scripts/appendThroughput.mjs']],
  ['factory', 'node', ['scripts/eventFactory.mjs']],
  ['monitor', 'node', ['src/monitorCpu.mjs']],
  ['long-lines', 'node', ['scripts/longLines.mjs']],
  ['gateway', 'node', ['src/gatewayLoad.mjs']],
  ['policies', 'node', ['src/gatewayPolicies.mjs']],
  ['sessions', 'node', ['src/gatewaySessions.mjs']],
  ['restart', 'node', ['src/restartTime.mjs']],
  ['heal', 'node', ['src/healTime.mjs']],
  ['nats', 'node', ['scripts/natsThroughput.mjs']],
  ['dashboard', 'node', ['src/dashboardLoad.mjs']],
];

const only = process.argv.slice(2);
let failed = 0;
for (const [name, command, args] of steps) {
  if (only.length > 0 && !only.some((word) => name.includes(word))) continue;
  process.stdout.write(`\n=== bench: ${name}\n`);
  const result = spawnSync(command, args, { cwd: here, stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stderr.write(`bench step ${name} failed (exit ${result.status})\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
