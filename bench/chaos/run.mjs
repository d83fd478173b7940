// The fault suite (`pnpm chaos`, RFC 0014): each scenario starts its own `selfheal start` with
// real server processes, injects one fault, and returns one row; the table is printed whatever
// the outcome, and the exit code is 1 when any scenario misses its target.
// `pnpm chaos -- 2 4` runs scenarios 2 and 4; `--ci` picks the CI sizes (10 s windows, 32
// clients: about two minutes in all). Sizes from the environment (they win over --ci):
//   CHAOS_SECONDS       how long scenarios 1, 5 and 7 run (default 60; --ci 10)
//   CHAOS_CLIENTS       concurrent clients in scenarios 2, 3, 4, 5 and 7 (default 64; --ci 32)
//   CHAOS_NOTIFY_BYTES  size of each upstream notification in scenario 1 (default 4096)
//   CHAOS_NOTIFY_MS     time between two notifications in scenario 1 (default 1)
import { loadavg } from 'node:os';
import { describeError } from './harness.mjs';
import { gatewayKill } from './scenarios/gatewayKill.mjs';
import { hungCalls } from './scenarios/hungCalls.mjs';
import { killServer } from './scenarios/killServer.mjs';
import { neverRead } from './scenarios/neverRead.mjs';
import { newClients } from './scenarios/newClients.mjs';
import { outage } from './scenarios/outage.mjs';
import { printTable } from './table.mjs';

const args = process.argv.slice(2).filter((a) => a !== '--');
const ci = args.includes('--ci');

const number = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(
      `chaos: ${name} must be a positive number, found "${process.env[name]}"\n`,
    );
    process.exit(2);
  }
  return value;
};
const sizes = {
  seconds: number('CHAOS_SECONDS', ci ? 10 : 60),
  clients: number('CHAOS_CLIENTS', ci ? 32 : 64),
  notifyBytes: number('CHAOS_NOTIFY_BYTES', 4096),
  notifyMs: number('CHAOS_NOTIFY_MS', 1),
};

const scenarios = {
  1: neverRead,
  2: (s) => killServer({ ...s, fallback: false }),
  3: (s) => killServer({ ...s, fallback: true }),
  4: newClients,
  5: hungCalls,
  6: gatewayKill,
  7: outage,
};

const asked = args.filter((a) => a !== '--ci');
const unknown = asked.filter((a) => !(a in scenarios));
if (unknown.length > 0) {
  process.stderr.write(
    `chaos: no scenario ${unknown.join(', ')}; pick among ${Object.keys(scenarios).join(' ')} (e.g. \`pnpm chaos -- 2 4\`)\n`,
  );
  process.exit(2);
}
const selected = asked.length > 0 ? asked : Object.keys(scenarios);

const rows = [];
for (const id of selected) {
  process.stdout.write(`chaos: scenario ${id}...\n`);
  const started = Date.now();
  let row;
  try {
    row = await scenarios[id](sizes);
  } catch (error) {
    process.stderr.write(`chaos: scenario ${id} failed: ${error?.stack ?? error}\n`);
    row = {
      scenario: id,
      target: '-',
      pass: false,
      notes: `scenario failed: ${describeError(error)}`,
    };
  }
  process.stdout.write(
    `chaos: scenario ${id} ${row.pass ? 'passed' : 'MISSED'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  rows.push(row);
}

console.log(
  `\nFault suite: ${sizes.clients} clients, ${sizes.seconds} s windows, notifications of ${sizes.notifyBytes} B every ${sizes.notifyMs} ms; load average ${loadavg()[0].toFixed(1)}\n`,
);
printTable(rows);
process.exitCode = rows.every((r) => r.pass) ? 0 : 1;
