#!/usr/bin/env node
// Scores the conformance suite's server scenarios (@modelcontextprotocol/conformance, pinned in
// conformance/package.json) against the conformance server directly and through the gateway.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startConformanceServer, startGateway, writeGatewayConfig } from './lib/processes.mjs';
import { compareRuns, countChecks, formatTable } from './lib/report.mjs';
import { makeOutRoot, REVISIONS, runSuite } from './lib/suite.mjs';

/**
 * Checks that pass directly and not through the gateway for a reason written down, by revision,
 * target and check (`scenario/check-id`): they do not fail the run, and one that passes again
 * does (it must leave the list).
 */
const KNOWN_GAPS_FILE = 'conformance/known-gaps.json';

function readKnownGaps() {
  const file = fileURLToPath(new URL('../known-gaps.json', import.meta.url));
  if (!existsSync(file)) return {};
  const { gaps } = JSON.parse(readFileSync(file, 'utf8'));
  return gaps ?? {};
}

/** Regressions listed per target and revision; all of them are in summary.json. */
const LISTED = 20;

const usage = `usage: node conformance/scripts/runConformance.mjs [gateway|direct|url] [options]

  gateway (default)  the conformance server directly, then through \`selfheal start\` with it as
                     the upstream over stdio and over HTTP; compares, per revision, the checks
                     that pass directly with those through the gateway
  direct             the conformance server alone
  url --url U        any running MCP endpoint at U

  --revision R       2025-11-25 or 2026-07-28; repeat for both (default: both)
  --upstream K       gateway mode: stdio or http; repeat for both (default: both)
  --out DIR          keep the suite's checks.json files and summary.json under DIR
                     (default: a new folder in the system temp folder)

exit 0: every scored check that passes directly passes through the gateway, but for the known
gaps of conformance/known-gaps.json (direct/url: the suite's own verdict); 1: a regression
(each one listed) or a known gap that passes now; 2: bad usage or a process that did not start.
`;

function parse() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      revision: { type: 'string', multiple: true },
      upstream: { type: 'string', multiple: true },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const mode = positionals[0] ?? 'gateway';
  const revisions = values.revision ?? REVISIONS;
  const upstreams = values.upstream ?? ['stdio', 'http'];
  const problems = [
    !['gateway', 'direct', 'url'].includes(mode) && `unknown mode "${mode}"`,
    mode === 'url' && !values.url && 'url mode needs --url',
    ...revisions.filter((r) => !REVISIONS.includes(r)).map((r) => `--revision: unknown "${r}"`),
    ...upstreams
      .filter((u) => !['stdio', 'http'].includes(u))
      .map((u) => `--upstream: unknown "${u}"`),
  ].filter(Boolean);
  return { values, mode, revisions, upstreams, problems };
}

/** Runs every revision against one target and returns the runs by revision. */
async function score(label, url, revisions, outRoot) {
  const runs = new Map();
  for (const revision of revisions) {
    process.stderr.write(`conformance: ${label} at ${revision} (${url}) ...\n`);
    const run = await runSuite({ url, revision, outRoot: join(outRoot, label) });
    const { scored, all } = countChecks(run);
    process.stderr.write(
      `conformance: ${label} at ${revision}: scored ${scored.passed} passed, ${scored.failed} failed; ` +
        `all ${all.passed} passed, ${all.failed} failed (suite exit ${run.exitCode})\n`,
    );
    runs.set(revision, run);
  }
  return runs;
}

async function main() {
  let parsed;
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`conformance: ${error.message}\n\n${usage}`);
    return 2;
  }
  const { values, mode, revisions, upstreams, problems } = parsed;
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  if (problems.length > 0) {
    process.stderr.write(`conformance: ${problems.join('; ')}\n\n${usage}`);
    return 2;
  }
  const outRoot = values.out ? resolve(values.out) : makeOutRoot(tmpdir());
  mkdirSync(outRoot, { recursive: true });
  for (const label of ['direct', 'url', 'gateway-stdio', 'gateway-http'])
    mkdirSync(join(outRoot, label), { recursive: true });

  /** @type {{ label: string, runs: Map<string, import('./lib/suite.mjs').SuiteRun> }[]} */
  const targets = [];
  const stops = [];
  try {
    if (mode === 'url') {
      targets.push({ label: 'url', runs: await score('url', values.url, revisions, outRoot) });
    } else {
      const server = await startConformanceServer();
      stops.push(server.stop);
      targets.push({
        label: 'direct',
        runs: await score('direct', server.url, revisions, outRoot),
      });
      if (mode === 'gateway') {
        for (const upstream of upstreams) {
          const dir = mkdtempSync(join(outRoot, `gateway-${upstream}-run-`));
          const config = writeGatewayConfig(
            dir,
            upstream === 'stdio' ? { upstream } : { upstream, upstreamUrl: server.url },
          );
          const gateway = await startGateway({ config, dir });
          try {
            const label = `gateway-${upstream}`;
            targets.push({ label, runs: await score(label, gateway.url, revisions, outRoot) });
          } finally {
            await gateway.stop();
          }
        }
      }
    }
  } catch (error) {
    process.stderr.write(
      `conformance: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 2;
  } finally {
    for (const stop of stops) await stop();
  }

  const summary = { outRoot, revisions: {} };
  const gaps = readKnownGaps();
  let regressions = 0;
  for (const revision of revisions) {
    const columns = targets.map(({ label, runs }) => ({ label, run: runs.get(revision) }));
    process.stdout.write(`\n${formatTable(revision, columns)}\n`);
    const entry = { counts: {}, regressions: {} };
    for (const { label, run } of columns) entry.counts[label] = countChecks(run);
    const direct = targets.find((t) => t.label === 'direct')?.runs.get(revision);
    for (const { label, run } of columns) {
      if (!direct || label === 'direct') continue;
      const compared = compareRuns(direct, run);
      const known = gaps[revision]?.[label] ?? {};
      const scored = compared.scored.filter((c) => !(c.key in known));
      const { notScored } = compared;
      const failing = new Set(compared.scored.map((c) => c.key));
      // A gap that no longer fails must leave the list, so the list stays the truth.
      const stale = Object.keys(known).filter((key) => !failing.has(key));
      entry.regressions[label] = { scored, notScored, known: Object.keys(known), stale };
      regressions += scored.length + stale.length;
      process.stdout.write(
        `\n${revision}, ${label}: ${scored.length} scored check(s) pass directly and not through the gateway` +
          (notScored.length > 0 ? ` (and ${notScored.length} not scored)` : '') +
          (Object.keys(known).length > 0
            ? `; ${Object.keys(known).length - stale.length} known gap(s) (${KNOWN_GAPS_FILE})`
            : '') +
          '\n',
      );
      for (const key of stale)
        process.stdout.write(`  STALE    ${key}: passes now; remove it from ${KNOWN_GAPS_FILE}\n`);
      for (const { key, status, errorMessage } of scored.slice(0, LISTED)) {
        process.stdout.write(
          `  ${status.padEnd(8)} ${key}${errorMessage ? `: ${errorMessage.slice(0, 160)}` : ''}\n`,
        );
      }
      if (scored.length > LISTED) {
        process.stdout.write(`  ... and ${scored.length - LISTED} more (summary.json)\n`);
      }
    }
    summary.revisions[revision] = entry;
  }
  writeFileSync(join(outRoot, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`\nchecks.json files and summary.json: ${outRoot}\n`);
  if (mode !== 'gateway') {
    return targets.some(({ runs }) => [...runs.values()].some((run) => run.exitCode !== 0)) ? 1 : 0;
  }
  return regressions > 0 ? 1 : 0;
}

process.exitCode = await main();
