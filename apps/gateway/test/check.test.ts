import { spawn } from 'node:child_process';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createHealthEndpoint } from '@selfheal/health-endpoint';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/runCli.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
});

async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
}

/** An endpoint that answers exactly this, whatever the request. */
function raw(status: number, type: string | undefined, body: unknown): RequestListener {
  return (_req, res) => {
    if (type) res.setHeader('Content-Type', type);
    res.statusCode = status;
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

const now = () => new Date().toISOString();
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
const HEALTH = 'application/health+json';

/** `selfheal check ARGV...` in-process. */
const run = (...argv: string[]) => runCli('check', ...argv);

interface JsonReport {
  conforms: boolean;
  reachable: boolean;
  code?: string;
  violations: { rule: string; pointer: string; fix: string; message: string }[];
  warnings: { rule: string; pointer: string }[];
}
async function runJson(...argv: string[]) {
  const r = await run(...argv, '--json');
  return { ...r, report: JSON.parse(r.stdout) as JsonReport };
}
const found = (r: JsonReport) => r.violations.map((v) => [v.rule, v.pointer]);

describe('selfheal check against endpoints built with @selfheal/health-endpoint', () => {
  it.each(['ok', 'degraded', 'down'] as const)('passes a %s endpoint (exit 0)', async (status) => {
    const url = await serve(createHealthEndpoint({ checks: { db: () => status } }).listener());
    const r = await runJson(url);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ conforms: true, reachable: true, violations: [] });
  });

  it('passes an endpoint with a hanging and a throwing check (down, 503)', async () => {
    const health = createHealthEndpoint({
      checks: {
        queue: { check: () => new Promise(() => {}), timeoutMs: 100 },
        db: () => {
          throw new Error('password=hunter2 rejected');
        },
      },
    });
    const r = await runJson(await serve(health.listener()));
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({ conforms: true, httpStatus: 503, warnings: [] });
  });

  it('prints a one-line verdict for people', async () => {
    const url = await serve(createHealthEndpoint().listener());
    const r = await run(url);
    expect(r).toMatchObject({ code: 0, stdout: `${url}: conforms (HTTP 200, status "ok")\n` });
  });

  it('fails a degraded endpoint with --require-ok, at /status', async () => {
    const url = await serve(createHealthEndpoint({ checks: { db: () => 'degraded' } }).listener());
    const r = await runJson(url, '--require-ok');
    expect(r.code).toBe(1);
    expect(found(r.report)).toEqual([['require-ok', '/status']]);
  });
});

describe('selfheal check against the example MCP server (a separate process)', () => {
  it('passes it, and fails it with --require-ok once its backend is flipped to degraded', async () => {
    const entry = fileURLToPath(
      new URL('../../../examples/dist/healthyServer.js', import.meta.url),
    );
    const child = spawn(process.execPath, [entry, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c;
          if (out.includes('\n')) resolve(out.split('\n', 1)[0]!);
        });
        child.once('exit', (code) => reject(new Error(`example server exited ${code}`)));
      });
      const { health } = JSON.parse(line) as { health: string };
      expect((await run(health, '--require-ok')).code).toBe(0);
      const flip = await fetch(health.replace(/\/health$/, '/admin/health'), {
        method: 'POST',
        body: JSON.stringify({ status: 'degraded', reason: 'disk 91% full' }),
      });
      expect(flip.status).toBe(200);
      expect((await run(health)).code).toBe(0);
      const strict = await runJson(health, '--require-ok');
      expect(strict.code).toBe(1);
      expect(found(strict.report)).toEqual([['require-ok', '/status']]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});

describe('selfheal check against broken endpoints (exit 1, with pointer and fix)', () => {
  it.each([
    [
      'a missing field',
      raw(200, HEALTH, { status: 'ok', timestamp: now() }),
      [['schema', '/uptime_seconds']],
    ],
    [
      'a bad status value',
      raw(200, HEALTH, { status: 'healthy', timestamp: now(), uptime_seconds: 1 }),
      [['schema', '/status']],
    ],
    [
      'a stale timestamp',
      raw(200, HEALTH, { status: 'ok', timestamp: minutesAgo(5), uptime_seconds: 1 }),
      [['stale-timestamp', '/timestamp']],
    ],
    [
      'a wrong content type',
      raw(200, 'text/plain', { status: 'ok', timestamp: now(), uptime_seconds: 1 }),
      [['content-type', '']],
    ],
    [
      'an HTML error page',
      raw(502, 'text/html', '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>'),
      [
        ['content-type', ''],
        ['json', ''],
      ],
    ],
    [
      'a body that says ok while a component is down',
      raw(200, HEALTH, {
        status: 'ok',
        timestamp: now(),
        uptime_seconds: 1,
        checks: { db: 'down', cache: 'ok' },
      }),
      [['overall-status', '/status']],
    ],
    [
      'ok answered with 503',
      raw(503, HEALTH, { status: 'ok', timestamp: now(), uptime_seconds: 1 }),
      [['http-status', '/status']],
    ],
  ])('fails %s', async (_name, listener, expected) => {
    const r = await runJson(await serve(listener));
    expect(r.code).toBe(1);
    expect(r.report.conforms).toBe(false);
    expect(found(r.report)).toEqual(expected);
    for (const v of r.report.violations) expect(v.fix.length).toBeGreaterThan(10);
  });

  it('lists each violation with its pointer and fix in the text output', async () => {
    const url = await serve(raw(200, HEALTH, { status: 'healthy', timestamp: now() }));
    const r = await run(url);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${url}: does not conform (2 violations)`);
    expect(r.stdout).toContain(
      '[schema] /status: expected one of "ok", "degraded", "down", found "healthy"',
    );
    expect(r.stdout).toContain('fix: set /status to one of "ok", "degraded", "down"');
    expect(r.stdout).toContain('[schema] /uptime_seconds: expected a value (required)');
  });

  it('accepts a down body with HTTP 200 but warns', async () => {
    const url = await serve(
      raw(200, 'application/json', {
        status: 'down',
        timestamp: now(),
        uptime_seconds: 1,
        error: 'db: down',
      }),
    );
    const r = await runJson(url);
    expect(r.code).toBe(0);
    expect(r.report.warnings.map((w) => [w.rule, w.pointer])).toEqual([['http-status', '/status']]);
  });

  it('writes GitHub Actions annotations with --github', async () => {
    const url = await serve(
      raw(200, HEALTH, { status: 'ok', timestamp: minutesAgo(2), uptime_seconds: 1 }),
    );
    const r = await run(url, '--github');
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^::error title=selfheal check%3A stale-timestamp at \/timestamp::\/timestamp: .* old; .*\. Fix: compute timestamp/,
    );
    expect(lines.at(-1)).toBe(`selfheal check ${url}: does not conform (1 violation, 0 warnings)`);
  });
});

describe('selfheal check when the endpoint cannot be reached (exit 2)', () => {
  it('exits 2 for a refused connection', async () => {
    const url = await serve(raw(200, HEALTH, {}));
    await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
    const r = await runJson(url);
    expect(r.code).toBe(2);
    expect(r.report).toMatchObject({ reachable: false, conforms: false, code: 'UNREACHABLE' });
    const text = await run(url);
    expect(text.stderr).toContain('unreachable');
  });

  it('exits 2 when the endpoint never answers within --timeout', async () => {
    const url = await serve(() => {});
    const r = await runJson(url, '--timeout', '100');
    expect(r.code).toBe(2);
    expect(r.report).toMatchObject({ reachable: false, code: 'TIMED_OUT' });
  });

  it.each([
    [[]],
    [['not a url']],
    [['ftp://example.com/health']],
    [['http://127.0.0.1:1/health', '--timeout', '-5']],
    [['http://127.0.0.1:1/health', '--json', '--github']],
    [['http://127.0.0.1:1/health', '--bogus']],
  ])('exits 2 for bad usage %j without touching the network', async (argv) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: selfheal check URL');
  });
});
