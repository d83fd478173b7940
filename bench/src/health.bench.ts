import { Agent, createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHealthEndpoint } from '@selfheal/health-endpoint';
import { auditHealthResponse } from '@selfheal/health-endpoint/compliance';
import { afterAll, beforeAll, bench, describe } from 'vitest';

// What one /health answer costs the server: evaluating checks (concurrency bookkeeping, timers,
// body), and the full loopback round trip a monitor polling every 30 s pays.
const none = createHealthEndpoint({ version: '1.0.0' });
const three = createHealthEndpoint({
  version: '1.0.0',
  checks: { db: async () => 'ok', cache: async () => 'ok', queue: async () => 'ok' },
});
const cached = createHealthEndpoint({
  version: '1.0.0',
  checks: {
    db: { check: async () => 'ok', cacheMs: 60_000 },
    cache: { check: async () => 'ok', cacheMs: 60_000 },
    queue: { check: async () => 'ok', cacheMs: 60_000 },
  },
});
const failing = createHealthEndpoint({
  checks: {
    db: async () => {
      throw new Error('connect ECONNREFUSED postgres://app:secret@10.0.0.7:5432/app');
    },
    cache: async () => ({ status: 'degraded', error: 'hit rate 12%' }),
    queue: async () => 'ok',
  },
});

describe('evaluate(): build one answer', () => {
  bench('no checks', async () => {
    await none.evaluate();
  });
  bench('3 async checks (each run, with its timeout timer)', async () => {
    await three.evaluate();
  });
  bench('3 cached checks', async () => {
    await cached.evaluate();
  });
  bench('3 checks, one throwing (redaction), one degraded', async () => {
    await failing.evaluate();
  });
});

// Baseline: a hand-written listener that sends a static body of the same shape.
const staticBody = JSON.stringify({
  status: 'ok',
  timestamp: new Date().toISOString(),
  uptime_seconds: 1,
  version: '1.0.0',
  checks: { db: 'ok', cache: 'ok', queue: 'ok' },
});
const servers = {
  endpoint: createServer(three.listener()),
  baseline: createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'application/health+json',
      'Content-Length': Buffer.byteLength(staticBody),
      'Cache-Control': 'no-store',
    });
    res.end(staticBody);
  }),
};
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
const urls = { endpoint: '', baseline: '' };
beforeAll(async () => {
  for (const key of ['endpoint', 'baseline'] as const) {
    const server = servers[key];
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    urls[key] = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
  }
});
afterAll(async () => {
  agent.destroy();
  for (const server of Object.values(servers)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
const roundTrip = (url: string) =>
  new Promise<void>((resolve, reject) => {
    get(url, { agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  });

describe('GET /health over loopback, keep-alive (3 checks)', () => {
  bench('hand-written static body (baseline)', async () => {
    await roundTrip(urls.baseline);
  });
  bench('createHealthEndpoint listener', async () => {
    await roundTrip(urls.endpoint);
  });
});

const body = JSON.stringify({
  status: 'degraded',
  timestamp: new Date().toISOString(),
  uptime_seconds: 3600,
  version: '1.0.0',
  checks: { db: 'ok', cache: 'degraded', queue: 'ok' },
  error: 'cache: degraded (hit rate 12%)',
});
const answer = { httpStatus: 200, contentType: 'application/health+json', bodyText: body };

describe('selfheal check: audit one answer', () => {
  bench('JSON.parse only', () => {
    JSON.parse(body);
  });
  bench('auditHealthResponse (parse, schema, rules)', () => {
    auditHealthResponse(answer, { now: Date.now() });
  });
});
