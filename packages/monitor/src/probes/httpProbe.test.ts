import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeClock } from '../testing/fakeClock.js';
import { createHttpProbe } from './httpProbe.js';

let server: Server;
let base: string;
let reply: { status: number; body: string } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(reply.status, { 'content-type': 'application/health+json' });
    res.end(reply.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const clock = createFakeClock();
const fresh = () => new Date(clock.now()).toISOString();
const health = (fields: Record<string, unknown>) =>
  JSON.stringify({ status: 'ok', timestamp: fresh(), uptime_seconds: 3, ...fields });

async function probe(status: number, body: string) {
  reply = { status, body };
  return createHttpProbe({ url: `${base}/health`, clock })();
}

describe('createHttpProbe against a real /health', () => {
  it('ok for a valid fresh ok body, with its checks', async () => {
    const r = await probe(200, health({ checks: { database: 'ok' } }));
    expect(r).toMatchObject({ probe: 'http', status: 'ok', checks: { database: 'ok' } });
    expect(r.error).toBeUndefined();
  });

  it('degraded warns with the server error', async () => {
    const r = await probe(200, health({ status: 'degraded', error: 'cache cold' }));
    expect(r).toMatchObject({ status: 'degraded', error: 'cache cold' });
  });

  it('down for a 503 down body, keeping its error', async () => {
    const r = await probe(503, health({ status: 'down', error: 'db unreachable' }));
    expect(r).toMatchObject({ status: 'down', error: 'db unreachable' });
  });

  it('down for a 500 even with an ok body', async () => {
    expect(await probe(500, health({}))).toMatchObject({ status: 'down', error: 'HTTP 500' });
  });

  it('down for a body that fails the schema, naming the pointer', async () => {
    const r = await probe(200, JSON.stringify({ status: 'fine', timestamp: fresh() }));
    expect(r.status).toBe('down');
    expect(r.error).toContain('invalid /health body');
    expect(r.error).toContain('/status');
    expect(r.error).toContain('/uptime_seconds');
  });

  it('down for a body that is not JSON', async () => {
    expect(await probe(200, '<html>')).toMatchObject({
      status: 'down',
      error: expect.stringContaining('not JSON'),
    });
  });

  it('stale just past 60 s, fresh at exactly 60 s', async () => {
    const at = (ageMs: number) =>
      health({ timestamp: new Date(clock.now() - ageMs).toISOString() });
    expect((await probe(200, at(60_000))).status).toBe('ok');
    const stale = await probe(200, at(61_000));
    expect(stale.status).toBe('down');
    expect(stale.error).toMatch(/stale \/health.*61 s old/);
  });

  it('down for a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await createHttpProbe({ url: `http://127.0.0.1:${port}/health`, clock })();
    expect(r).toMatchObject({
      status: 'down',
      error: expect.stringContaining('connection refused'),
    });
  });
});

describe('createHttpProbe timeout (fake clock)', () => {
  it('fails at the timeout, not a millisecond before', async () => {
    const fakeClock = createFakeClock();
    const hanging: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    let settled: unknown;
    void createHttpProbe({
      url: 'http://127.0.0.1:1/health',
      clock: fakeClock,
      fetch: hanging,
      timeoutMs: 5000,
    })().then((r) => {
      settled = r;
    });
    await fakeClock.advance(4999);
    expect(settled).toBeUndefined();
    await fakeClock.advance(1);
    expect(settled).toMatchObject({
      status: 'down',
      response_time_ms: 5000,
      error: expect.stringContaining('no answer within 5000 ms'),
    });
  });
});
