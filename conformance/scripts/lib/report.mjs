// Counts, tables and the direct-versus-gateway comparison of conformance runs.

/** @typedef {import('./suite.mjs').SuiteRun} SuiteRun */
/** @typedef {import('./suite.mjs').ScenarioResult} ScenarioResult */

/**
 * Pass and fail counts of a run's checks, over all scenarios and over the scored ones.
 * @param {SuiteRun} run
 */
export function countChecks(run) {
  const count = (/** @type {ScenarioResult[]} */ scenarios) => {
    const checks = scenarios.flatMap((s) => s.checks);
    return {
      passed: checks.filter((c) => c.status === 'SUCCESS').length,
      failed: checks.filter((c) => c.status === 'FAILURE').length,
      warnings: checks.filter((c) => c.status === 'WARNING').length,
      total: checks.length,
    };
  };
  return { all: count(run.scenarios), scored: count(run.scenarios.filter((s) => s.scored)) };
}

/**
 * Each check of a run by `scenario/check-id` (a repeated id gets `#2`, `#3`, …).
 * @param {SuiteRun} run
 * @returns {Map<string, { status: string, scored: boolean, errorMessage?: string }>}
 */
function checksByKey(run) {
  const byKey = new Map();
  for (const { scenario, scored, checks } of run.scenarios) {
    const seen = new Map();
    for (const check of checks) {
      const n = (seen.get(check.id) ?? 0) + 1;
      seen.set(check.id, n);
      byKey.set(`${scenario}/${check.id}${n > 1 ? `#${n}` : ''}`, { ...check, scored });
    }
  }
  return byKey;
}

/**
 * The checks that pass directly and do not pass through `target` (failed, warned, skipped or
 * missing), split by whether the revision scores their scenario.
 * @param {SuiteRun} direct @param {SuiteRun} target
 */
export function compareRuns(direct, target) {
  const reached = checksByKey(target);
  /** @type {{ key: string, status: string, errorMessage?: string }[]} */
  const scored = [];
  /** @type {typeof scored} */
  const notScored = [];
  for (const [key, check] of checksByKey(direct)) {
    if (check.status !== 'SUCCESS') continue;
    const there = reached.get(key);
    if (there?.status === 'SUCCESS') continue;
    const entry = { key, status: there?.status ?? 'MISSING', errorMessage: there?.errorMessage };
    (check.scored ? scored : notScored).push(entry);
  }
  return { scored, notScored };
}

/**
 * A plain-text table of passed/failed checks per scenario, one column per target.
 * @param {string} revision @param {{ label: string, run: SuiteRun }[]} columns
 * @returns {string}
 */
export function formatTable(revision, columns) {
  const scenarios = [
    ...new Set(columns.flatMap(({ run }) => run.scenarios.map((s) => s.scenario))),
  ].sort();
  const scoredOf = new Map(
    columns.flatMap(({ run }) => run.scenarios.map((s) => [s.scenario, s.scored])),
  );
  const cell = (/** @type {SuiteRun} */ run, /** @type {string} */ name) => {
    const found = run.scenarios.find((s) => s.scenario === name);
    if (!found) return '-';
    const passed = found.checks.filter((c) => c.status === 'SUCCESS').length;
    const failed = found.checks.filter((c) => c.status === 'FAILURE').length;
    return `${passed}/${failed}`;
  };
  const header = ['scenario', ...columns.map((c) => c.label)];
  const rows = scenarios.map((name) => [
    `${name}${scoredOf.get(name) ? '' : ' (not scored)'}`,
    ...columns.map(({ run }) => cell(run, name)),
  ]);
  const totals = (/** @type {'scored' | 'all'} */ which) => [
    which === 'scored' ? 'TOTAL scored' : 'TOTAL all',
    ...columns.map(({ run }) => {
      const counts = countChecks(run)[which];
      return `${counts.passed}/${counts.failed}`;
    }),
  ];
  const table = [header, ...rows, totals('scored'), totals('all')];
  const widths = header.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  const line = (/** @type {string[]} */ row) =>
    row
      .map((value, i) => (i === 0 ? value.padEnd(widths[i] ?? 0) : value.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    `== ${revision}: checks passed/failed per scenario`,
    line(header),
    ...rows.map(line),
    line(totals('scored')),
    line(totals('all')),
  ].join('\n');
}
