import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectNats, type NatsLink } from './natsLink.js';
import { createLease, type Lease } from './probeLease.js';
import { hasNatsServer, startNatsServer, type TestNatsServer } from './testing/natsServer.js';

const TTL = 1200;

/** Resolves once `probe` is true, polling; rejects after `ms` (a deadline, not a condition). */
async function until(probe: () => boolean, ms: number): Promise<number> {
  const began = Date.now();
  while (!probe()) {
    if (Date.now() - began > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - began;
}

// CI installs nats-server (.ci/run): there a missing binary fails instead of skipping.
describe.skipIf(!hasNatsServer() && !process.env.CI)('createLease against nats-server -js', () => {
  let nats: TestNatsServer;
  const links: NatsLink[] = [];
  const leases: Lease[] = [];
  beforeAll(async () => {
    nats = await startNatsServer();
    for (let i = 0; i < 3; i++) {
      links.push(await connectNats({ servers: [nats.url], stream: 'LEASE', subject: 'l.ev' }));
    }
  });
  afterAll(async () => {
    for (const lease of leases) await lease.stop();
    for (const link of links) await link.close().catch(() => {});
    await nats?.dispose();
  });

  it('is held by one replica at a time, and by another within the TTL when its holder dies', async () => {
    for (let i = 0; i < 3; i++) {
      leases.push(await createLease({ link: links[i]!, holder: `gw-${i}`, ttlMs: TTL }));
    }
    await until(() => leases.filter((l) => l.held).length === 1, TTL);
    // Renewals keep it with the same holder over several TTLs.
    const holder = leases.findIndex((l) => l.held);
    for (let t = 0; t < 3 * TTL; t += 100) {
      await new Promise((r) => setTimeout(r, 100));
      expect(leases.map((l) => l.held)).toEqual(leases.map((_, i) => i === holder));
    }
    // The holder dies: its connection is gone without a goodbye (no delete of the key).
    await links[holder]!.connection.close();
    const waited = await until(() => leases.some((l, i) => i !== holder && l.held), 2 * TTL);
    expect(waited).toBeLessThan(TTL);
    expect(leases.filter((l, i) => i !== holder && l.held)).toHaveLength(1);
  }, 15_000);

  it('refuses a TTL it cannot keep', async () => {
    await expect(createLease({ link: links[1]!, holder: 'x', ttlMs: 100 })).rejects.toThrow(
      /lease_ttl_ms must be >= 300/,
    );
  });
});
