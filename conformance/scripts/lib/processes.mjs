// Starts the conformance server and the gateway as real processes and stops them.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
/** The conformance server's command (built by `pnpm install` / `pnpm build`). */
export const serverMain = join(repoRoot, 'conformance', 'dist', 'main.js');
const selfhealBin = join(repoRoot, 'apps', 'gateway', 'bin', 'selfheal.js');

/**
 * @typedef {{ url: string, stop: () => Promise<void>, output: () => string }} Started
 */

/**
 * Spawns `command args` and resolves once its output matches `ready` (the match is handed to
 * `urlOf`), or rejects with its output when it exits or `timeoutMs` passes first.
 * @param {{ name: string, command: string, args: string[], cwd?: string, ready: RegExp,
 *   urlOf: (match: RegExpExecArray) => string, timeoutMs?: number }} options
 * @returns {Promise<Started>}
 */
function startProcess({ name, command, args, cwd, ready, urlOf, timeoutMs = 60_000 }) {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(
        new Error(`${name} did not become ready within ${timeoutMs} ms; its output:\n${output}`),
      );
    }, timeoutMs);
    const onData = (/** @type {string} */ chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      resolve({ url: urlOf(match), stop, output: () => output });
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      output += chunk;
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${name} could not start (${command}): ${error.message}`));
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready; its output:\n${output}`));
    });
  });
}

function requireBuilt() {
  for (const file of [serverMain, join(repoRoot, 'apps', 'gateway', 'dist', 'cli.js')]) {
    if (!existsSync(file)) {
      throw new Error(
        `${file} is missing; run \`pnpm install\` (or \`pnpm build\`) at the repository root.`,
      );
    }
  }
}

/**
 * Starts the conformance server over Streamable HTTP on a free port.
 * @returns {Promise<Started>} its `http://localhost:<port>/mcp` URL
 */
export function startConformanceServer() {
  requireBuilt();
  return startProcess({
    name: 'the conformance server',
    command: process.execPath,
    args: [serverMain, '--port', '0'],
    ready: /^(http:\/\/\S+\/mcp)$/m,
    urlOf: (match) => /** @type {string} */ (match[1]),
  });
}

/**
 * Writes a gateway config with one upstream, the conformance server (`prefix: ""` keeps tool
 * names unchanged): over stdio (`upstream: 'stdio'`) or at `upstreamUrl` over HTTP.
 * @param {string} dir @param {{ upstream: 'stdio' } | { upstream: 'http', upstreamUrl: string }} how
 * @returns {string} the config file
 */
export function writeGatewayConfig(dir, how) {
  const server =
    how.upstream === 'stdio'
      ? { command: process.execPath, args: [serverMain, '--stdio'], prefix: '' }
      : { url: how.upstreamUrl, prefix: '' };
  const file = join(dir, `gateway-${how.upstream}.json`);
  writeFileSync(file, `${JSON.stringify({ mcpServers: { conformance: server } }, null, 2)}\n`);
  return file;
}

/**
 * Starts `selfheal start --config CONFIG --port 0` in `dir` (its event log and control socket
 * go there) and resolves when it reports its upstream up.
 * @param {{ config: string, dir: string }} options
 * @returns {Promise<Started>} its /mcp URL, with `localhost` for the host (the suite's
 *   DNS-rebinding checks need a localhost name)
 */
export async function startGateway({ config, dir }) {
  requireBuilt();
  const gateway = await startProcess({
    name: `selfheal start --config ${config}`,
    command: process.execPath,
    args: [selfhealBin, 'start', '--config', config, '--port', '0'],
    cwd: dir,
    ready: /listening on (http:\/\/\S+\/mcp)[\s\S]*ready: (\d+) of (\d+) servers up/,
    urlOf: (match) => /** @type {string} */ (match[1]).replace('//127.0.0.1:', '//localhost:'),
  });
  if (!/ready: 1 of 1 servers up/.test(gateway.output())) {
    await gateway.stop();
    throw new Error(`the gateway did not bring the conformance server up:\n${gateway.output()}`);
  }
  return gateway;
}
