import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createFakeClock } from '@selfheal/internal/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    // A real server that accepts the request and never answers; only the fake clock moves.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    const fakeClock = createFakeClock();
    let settled: unknown;
    try {
      const pending = createHttpProbe({
        url: `http://127.0.0.1:${port}/health`,
        clock: fakeClock,
        timeoutMs: 5000,
      })().then((r) => {
        settled = r;
      });
      await fakeClock.advance(4999);
      expect(settled).toBeUndefined();
      await fakeClock.advance(1);
      await pending;
      expect(settled).toMatchObject({
        status: 'down',
        response_time_ms: 5000,
        error: expect.stringContaining('no answer within 5000 ms'),
      });
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('createHttpProbe connections', () => {
  async function serve(handler: Parameters<typeof createServer>[1]) {
    const s = createServer(handler);
    let connections = 0;
    s.on('connection', () => connections++);
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}/health`;
    return {
      url,
      connections: () => connections,
      close: () => {
        s.closeAllConnections();
        return new Promise<void>((resolve) => s.close(() => resolve()));
      },
    };
  }
  const ok = (res: import('node:http').ServerResponse) => {
    res.writeHead(200, { 'content-type': 'application/health+json' });
    res.end(
      JSON.stringify({ status: 'ok', timestamp: new Date().toISOString(), uptime_seconds: 1 }),
    );
  };

  it('reuses one kept-alive connection for consecutive checks', async () => {
    const s = await serve((_req, res) => ok(res));
    try {
      const check = createHttpProbe({ url: s.url });
      for (let i = 0; i < 5; i++) expect((await check()).status).toBe('ok');
      expect(s.connections()).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('retries once on a new connection when the server dropped the kept-alive one', async () => {
    let requests = 0;
    const s = await serve((req, res) => {
      requests++;
      // The second request arrives on the reused connection: drop it without an answer.
      if (requests === 2) req.socket.destroy();
      else ok(res);
    });
    try {
      const check = createHttpProbe({ url: s.url });
      expect((await check()).status).toBe('ok');
      expect(await check()).toMatchObject({ status: 'ok' });
      expect(requests).toBe(3);
      expect(s.connections()).toBe(2);
    } finally {
      await s.close();
    }
  });

  it('Connection: close answers and an idle connection the server timed out both work', async () => {
    const sockets: import('node:net').Socket[] = [];
    const s = await serve((req, res) => {
      if (!sockets.includes(req.socket)) sockets.push(req.socket);
      if (req.url === '/health?close') res.setHeader('connection', 'close');
      ok(res);
    });
    try {
      const closing = createHttpProbe({ url: `${s.url}?close` });
      for (let i = 0; i < 3; i++) expect((await closing()).status).toBe('ok');
      expect(s.connections()).toBe(3);
      const check = createHttpProbe({ url: s.url });
      expect((await check()).status).toBe('ok');
      // The server ends the idle kept-alive connection; the next check must still succeed.
      const idle = sockets.at(-1)!;
      await new Promise<void>((resolve) => {
        idle.once('close', () => resolve());
        idle.end();
      });
      expect((await check()).status).toBe('ok');
      expect(s.connections()).toBe(5);
    } finally {
      await s.close();
    }
  });

  it('does not retry a fresh connection that fails', async () => {
    let requests = 0;
    const s = await serve((req) => {
      requests++;
      req.socket.destroy();
    });
    try {
      const r = await createHttpProbe({ url: s.url })();
      expect(r.status).toBe('down');
      expect(r.error).toMatch(/closed before a response|ECONNRESET/);
      expect(requests).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('fails a body longer than maxBodyBytes and one cut mid-body', async () => {
    const s = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'application/health+json' });
      if (req.url === '/health') res.end('x'.repeat(2000));
      else {
        res.write('{"status":"ok",');
        setImmediate(() => req.socket.destroy());
      }
    });
    try {
      const big = await createHttpProbe({ url: s.url, maxBodyBytes: 1000 })();
      expect(big).toMatchObject({
        status: 'down',
        error: expect.stringContaining('larger than 1000 bytes'),
      });
      const cut = await createHttpProbe({ url: s.url.replace('/health', '/cut') })();
      expect(cut.status).toBe('down');
      expect(cut.error).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/cut: /);
    } finally {
      await s.close();
    }
  });

  it('does not follow a redirect: the check fails with the status', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(302, { location: '/elsewhere' });
      res.end();
    });
    try {
      expect(await createHttpProbe({ url: s.url })()).toMatchObject({
        status: 'down',
        error: expect.stringContaining('HTTP 302'),
      });
    } finally {
      await s.close();
    }
  });
});

describe('createHttpProbe over https', () => {
  it('checks an https /health with a keep-alive agent', async () => {
    const tls = (name: string) => readFileSync(new URL(`../testing/tls/${name}`, import.meta.url));
    const s = createHttpsServer({ key: tls('key.pem'), cert: tls('cert.pem') }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/health+json' });
      res.end(
        JSON.stringify({
          status: 'degraded',
          timestamp: new Date().toISOString(),
          uptime_seconds: 1,
        }),
      );
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    try {
      const port = (s.address() as AddressInfo).port;
      const agent = new HttpsAgent({ keepAlive: true, ca: tls('cert.pem') });
      const check = createHttpProbe({ url: `https://127.0.0.1:${port}/health`, agent });
      expect(await check()).toMatchObject({
        status: 'degraded',
        error: 'the server reports degraded',
      });
      expect((await check()).status).toBe('degraded');
      const untrusted = await createHttpProbe({ url: `https://127.0.0.1:${port}/health` })();
      expect(untrusted).toMatchObject({
        status: 'down',
        error: expect.stringContaining('SELF_SIGNED'),
      });
      agent.destroy();
    } finally {
      s.closeAllConnections();
      await new Promise<void>((resolve) => s.close(() => resolve()));
    }
  });
});
