import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SelfhealEvent } from '@selfheal/events';
import type { ControlRequest } from '@selfheal/monitor';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cookieCredential,
  createDashboard,
  createNewestEvents,
  type DashboardOptions,
  dashboardCookie,
  dashboardCredential,
  dashboardHistory,
  isDashboardPath,
  readEventFiles,
} from './dashboard.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(options: Partial<DashboardOptions>) {
  const assets = mkdtempSync(join(tmpdir(), 'sh-dash-assets-'));
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(assets, 'app.js'), 'export {};');
  const dashboard = createDashboard({
    mode: 'live',
    events: async () => ({ events: [], truncated: 0, source: 'log' }),
    assetsDir: `${assets}/`,
    ...options,
  });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    void dashboard.handle(req, res, path).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createDashboard', () => {
  it('serves the page and its script with a policy that loads nothing from elsewhere', async () => {
    const base = await serve({});
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const script = await fetch(`${base}/dashboard/app.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('export {};');
    // Not built: says what to run instead of a bare 500.
    const css = await fetch(`${base}/dashboard/app.css`);
    expect(css.status).toBe(500);
    expect(await css.text()).toMatch(/not built .*run the gateway's build/);
    expect((await fetch(`${base}/dashboard/nope`)).status).toBe(404);
  });

  it('hands an action to the operator handler, naming the operator and where from', async () => {
    const asked: ControlRequest[] = [];
    const base = await serve({
      act: async (request) => {
        asked.push(request);
        return { ok: true };
      },
    });
    const post = (body: string, type = 'application/json') =>
      fetch(`${base}/dashboard/api/action`, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const ok = await post(JSON.stringify({ action: 'reset', server: 'a', operator: ' ana ' }));
    expect(await ok.json()).toEqual({ ok: true });
    expect(asked).toEqual([
      { action: 'reset', server: 'a', operator: 'ana (dashboard, 127.0.0.1)' },
    ]);
    const form = await post('action=reset&server=a', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    const bad = await post(JSON.stringify({ action: 'stop', server: 'a', operator: 'x' }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(
      /"action" must be one of reset, disable, enable/,
    );
    const anonymous = await post(JSON.stringify({ action: 'reset', server: 'a', operator: '' }));
    expect(((await anonymous.json()) as { error: string }).error).toMatch(
      /"operator" must be your name/,
    );
    expect((await post('{')).status).toBe(400);
    expect(asked.length).toBe(1);
  });

  it('offers no actions in a replay', async () => {
    const base = await serve({ mode: 'replay', files: ['a.jsonl'] });
    expect(await (await fetch(`${base}/dashboard/api/info`)).json()).toEqual({
      mode: 'replay',
      files: ['a.jsonl'],
      actions: false,
    });
    const res = await fetch(`${base}/dashboard/api/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(404);
  });
});

describe('readEventFiles', () => {
  it('orders events as the replay does (stable by time, file order for ties) and keeps the newest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-dash-read-'));
    const line = (s: number, id: string) =>
      JSON.stringify({
        event_type: 'x',
        timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString(),
        trace_id: 't',
        event_id: id,
      });
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    writeFileSync(a, [line(2, 'a2'), line(1, 'a1'), 'not json', line(3, 'a3')].join('\n'));
    writeFileSync(b, [line(2, 'b2'), line(0, 'b0')].join('\n'));
    const all = await readEventFiles([a, b]);
    expect(all.events.map((e) => e.event_id)).toEqual(['b0', 'a1', 'a2', 'b2', 'a3']);
    const newest = await readEventFiles([a, b], 2);
    expect(newest).toMatchObject({ truncated: 3 });
    expect(newest.events.map((e) => e.event_id)).toEqual(['b2', 'a3']);
  });
});

describe('the dashboard credential', () => {
  it('is derived from the token for the dashboard only: not the token, not reversible by length', () => {
    const credential = dashboardCredential('s3cret');
    expect(credential).toMatch(/^[0-9a-f]{64}$/);
    expect(credential).not.toContain('s3cret');
    expect(dashboardCredential('s3cret')).toBe(credential);
    expect(dashboardCredential('other')).not.toBe(credential);
  });

  it("reads this gateway's cookie among others", () => {
    expect(cookieCredential(`a=1; ${dashboardCookie(4700)}=abc; b=2`, 4700)).toBe('abc');
    // Another gateway's cookie on the same host (another port) is not this one's.
    expect(cookieCredential(`${dashboardCookie(4701)}=abc`, 4700)).toBeUndefined();
    expect(cookieCredential('a=1', 4700)).toBeUndefined();
    expect(cookieCredential(undefined, 4700)).toBeUndefined();
  });

  it('opens the page, its API and the health stream, not /mcp or the metrics', () => {
    for (const path of ['/', '/dashboard/app.js', '/dashboard/api/events', '/health/stream'])
      expect(isDashboardPath(path), path).toBe(true);
    for (const path of ['/mcp', '/metrics', '/health/ecosystem', '/dashboard'])
      expect(isDashboardPath(path), path).toBe(false);
  });
});

describe('dashboardHistory', () => {
  const event = (id: string, s: number) =>
    ({
      event_type: 'server_down',
      event_id: id,
      server_name: 'a',
      trace_id: 't',
      timestamp: new Date(Date.UTC(2026, 11, 6) + s * 1000).toISOString(),
    }) as SelfhealEvent;
  const log = () => {
    const dir = mkdtempSync(join(tmpdir(), 'sh-dash-history-'));
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, `${JSON.stringify(event('own', 1))}\n`);
    return file;
  };

  it("reads the fleet's stream when the gateway folds one, not its own log", async () => {
    const fleet = { events: [event('other-replica', 2), event('own', 1)], truncated: 0 };
    const history = dashboardHistory({
      stream: async () => ({ ...fleet, source: 'stream' }),
      logPath: log(),
    });
    // In the stream's order, as the fleet folds it.
    await expect(history()).resolves.toEqual({ ...fleet, source: 'stream' });
  });

  it('reads the own log while NATS is not reached, and without a fleet', async () => {
    const path = log();
    const expected = { events: [event('own', 1)], truncated: 0, source: 'log' };
    await expect(
      dashboardHistory({ stream: async () => undefined, logPath: path })(),
    ).resolves.toEqual(expected);
    await expect(dashboardHistory({ logPath: path })()).resolves.toEqual(expected);
    // NATS lost while the stream is read: the log, not an error page.
    const lost = () => Promise.reject(new Error('CONNECTION_CLOSED'));
    await expect(dashboardHistory({ stream: lost, logPath: path })()).resolves.toEqual(expected);
    await expect(dashboardHistory({})()).resolves.toEqual({
      events: [],
      truncated: 0,
      source: 'log',
    });
  });

  it('keeps the newest events of a long stream, counting the rest', () => {
    const newest = createNewestEvents(3);
    for (let i = 0; i < 10; i++) newest.push(event(`e${i}`, i));
    const result = newest.result('stream');
    expect(result.events.map((e) => e.event_id)).toEqual(['e7', 'e8', 'e9']);
    expect(result.truncated).toBe(7);
  });
});
