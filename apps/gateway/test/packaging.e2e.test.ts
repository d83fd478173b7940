import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveConfig } from '../src/config/loadConfig.js';
import { createGateway } from '../src/gateway.js';
import { createHttpServer } from '../src/http/httpServer.js';
import { FAULTY } from './helpers/faultyUpstream.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/selfheal.js', import.meta.url));

const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('the gateway package is ready to publish (RFC 0020)', () => {
  // The other published packages (events, monitor, resilience, health-endpoint, schemas) pass
  // too, checked by hand on 2026-12-06; packing each takes seconds, so this file packs the one
  // the release is about.
  it.each(['apps/gateway'])(
    'publint finds nothing in %s (bin, files, exports as packed)',
    async (dir) => {
      const pkgDir = `${ROOT}${dir}`;
      const pkg = JSON.parse(readFileSync(`${pkgDir}/package.json`, 'utf8'));
      const { messages } = await publint({
        pkgDir,
        level: 'suggestion',
        strict: true,
        pack: 'npm',
      });
      expect(messages.map((m) => `${m.type}: ${formatMessage(m, pkg)}`)).toEqual([]);
    },
    60_000,
  );
});

/** Every published package, by folder. */
const PUBLISHED = [
  'apps/gateway',
  'packages/events',
  'packages/health-endpoint',
  'packages/monitor',
  'packages/resilience',
  'schemas',
];
/** Package.json fields a consumer's install reads. */
const RUNTIME_DEPENDENCIES = ['dependencies', 'peerDependencies', 'optionalDependencies'];

/** The paths `npm pack` would put in the tarball of the package in `pkgDir`. */
async function packedFiles(pkgDir: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    'npm',
    ['pack', '--dry-run', '--json', '--ignore-scripts'],
    { cwd: pkgDir },
  );
  const [packed] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  return packed.files.map((f) => f.path);
}

describe('what each published package packs (RFC 0021)', () => {
  // @selfheal/internal is private: a published build carries its own copy in dist/internal/.
  it.each(PUBLISHED)(
    '%s names @selfheal/internal nowhere a consumer would resolve it',
    async (dir) => {
      const pkgDir = `${ROOT}${dir}`;
      const naming: string[] = [];
      for (const path of await packedFiles(pkgDir)) {
        const text = readFileSync(`${pkgDir}/${path}`, 'utf8');
        if (path !== 'package.json') {
          if (text.includes('@selfheal/internal')) naming.push(path);
          continue;
        }
        // Its devDependencies may (the build links it); nothing a consumer installs may.
        const pkg = JSON.parse(text);
        for (const field of RUNTIME_DEPENDENCIES)
          if (pkg[field]?.['@selfheal/internal']) naming.push(`package.json ${field}`);
      }
      expect(naming).toEqual([]);
    },
    30_000,
  );

  // The build empties dist first, so a file whose source is gone is not published.
  it.each(PUBLISHED)(
    'every module in %s/dist is built from a source in src (no stale files)',
    async (dir) => {
      const pkgDir = `${ROOT}${dir}`;
      const stale = (await packedFiles(pkgDir)).filter((path) => {
        const module = /^dist\/(.+)\.js$/.exec(path)?.[1];
        // dist/internal/ is the inlined copy, dist/dashboard/ the gateway's bundle.
        if (!module || /^(internal|dashboard)\//.test(module)) return false;
        return !existsSync(`${pkgDir}/src/${module}.ts`);
      });
      expect(stale).toEqual([]);
    },
    30_000,
  );
});

describe('/livez and /readyz', () => {
  it('livez answers at once; readyz only once the config is loaded and the servers started', async () => {
    const config = resolveConfig(
      {
        mcpServers: {
          echo: { command: process.execPath, args: [FAULTY], env: { FAULT_TOOLS: '' } },
        },
        health_check: { probes: ['ping'] },
        gateway: { port: 0 },
      },
      'test-config',
    );
    const gateway = createGateway({ config });
    const http = createHttpServer({ gateway, tokens: ['secret'] });
    const { url } = await http.listen();
    closers.push(
      () => http.close(),
      () => gateway.stop(),
    );
    const origin = new URL(url).origin;
    // A kubelet's probe: no token, the pod's address as Host.
    const probe = async (path: string) => {
      const res = await fetch(`${origin}${path}`, { headers: { host: '10.1.2.3:4700' } });
      return { status: res.status, body: await res.json() };
    };
    expect(await probe('/livez')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe('/readyz')).toEqual({
      status: 503,
      body: { status: 'not_ready', servers: { total: 1, up: 0 } },
    });
    await gateway.start();
    expect(await probe('/readyz')).toEqual({
      status: 200,
      body: { status: 'ready', servers: { total: 1, up: 1 } },
    });
    // Everything else still wants the token.
    expect((await fetch(`${origin}/metrics`)).status).toBe(401);
    await gateway.stop();
    expect((await probe('/readyz')).status).toBe(503);
    expect((await probe('/livez')).status).toBe(200);
  }, 30_000);
});

describe('the GitHub Action (action.yml)', () => {
  /** Runs the action's script as a runner would, with the checkout's CLI for the package. */
  function runAction(inputs: Record<string, string>) {
    const action = parse(readFileSync(`${ROOT}action.yml`, 'utf8'));
    const step = action.runs.steps[0];
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      SELFHEAL_CLI: `${process.execPath} ${BIN}`,
    };
    for (const [name, value] of Object.entries(step.env as Record<string, string>)) {
      const input = /inputs\.([\w-]+)/.exec(value)![1]!;
      env[name] = inputs[input] ?? action.inputs[input].default ?? '';
    }
    return new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn('bash', ['-e', '-c', step.run], { env });
      let stdout = '';
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.stderr.resume();
      child.once('close', (code) => resolve({ code, stdout }));
    });
  }

  async function healthServer(body: unknown): Promise<string> {
    const server: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/health+json' });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  }

  it('annotates each violation with its file and fails; passes a conforming endpoint', async () => {
    const broken = await healthServer({ status: 'fine', uptime_seconds: -1 });
    const failed = await runAction({ url: broken, file: 'src/health.ts' });
    expect(failed.code).toBe(1);
    const errors = failed.stdout.split('\n').filter((l) => l.startsWith('::error '));
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const line of errors)
      expect(line).toMatch(/^::error file=src\/health\.ts,title=selfheal check%3A [^:]+::.+$/);
    expect(failed.stdout).toMatch(/selfheal check .*: does not conform/);

    const good = await healthServer({
      status: 'ok',
      timestamp: new Date().toISOString(),
      uptime_seconds: 5,
    });
    const passed = await runAction({ url: good });
    expect(passed.code).toBe(0);
    expect(passed.stdout).not.toContain('::error');
    expect(passed.stdout).toContain(': conforms (0 violations');
  }, 30_000);
});
