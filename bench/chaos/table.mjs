// The suite's one table, in Markdown: a row per scenario (see run.mjs for the fields).

const ms = (v) => (v === undefined || Number.isNaN(v) ? '-' : `${Math.round(v)} ms`);
const pct = (v) => (v === undefined || Number.isNaN(v) ? '-' : `${(v * 100).toFixed(1)}%`);
const mb = (v) => (v === undefined || Number.isNaN(v) ? '-' : `${v.toFixed(0)} MB`);
const bytes = (v) =>
  v === undefined || Number.isNaN(v) ? '-' : `${Math.round(v).toLocaleString('en-US')} B`;

/** Prints `rows` ({scenario, successRate, firstSuccessMs, peakRssMb, orphans, logBytesPerMin, target, pass, notes}). */
export function printTable(rows) {
  const head = [
    'scenario',
    'success',
    'first success after fault',
    'gateway peak RSS',
    'orphans left',
    'log bytes/min',
    'target',
    'result',
    'notes',
  ];
  const line = (cells) => `| ${cells.join(' | ')} |`;
  console.log(line(head));
  console.log(line(head.map(() => '---')));
  for (const r of rows)
    console.log(
      line([
        r.scenario,
        pct(r.successRate),
        ms(r.firstSuccessMs),
        mb(r.peakRssMb),
        r.orphans ?? '-',
        bytes(r.logBytesPerMin),
        r.target,
        r.pass ? 'pass' : 'FAIL',
        [r.notes, r.orphans ? `left: ${r.orphanKinds}` : undefined]
          .filter(Boolean)
          .join('; ')
          .replaceAll('|', '/')
          .replaceAll('\n', ' '),
      ]),
    );
}
