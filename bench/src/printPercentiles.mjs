// Prints p50 and p99 per benchmark from vitest's JSON report, and each row's p50 overhead over
// the first row of its group (the bare call, where there is one). vitest's own table shows
// ops/s, mean, p75 and p99 but no median; the resilience targets are p50 overheads.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  console.error('usage: node src/printPercentiles.mjs <vitest bench --outputJson file>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const us = (ms) => (ms * 1000).toFixed(2);
for (const bench of report.files ?? []) {
  for (const group of bench.groups ?? []) {
    const [first] = group.benchmarks;
    if (!first) continue;
    console.log(`\n${group.fullName} (µs per call, node ${process.version})`);
    console.table(
      group.benchmarks.map((b) => ({
        name: b.name,
        p50: us(b.median),
        p99: us(b.p99),
        [`p50 over "${first.name}"`]: us(b.median - first.median),
        samples: b.sampleCount,
      })),
    );
  }
}
